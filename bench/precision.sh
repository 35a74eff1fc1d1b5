#!/usr/bin/env bash
# Precision benchmark: run every built-in rule over large real trees that hold
# no live secrets and count what sprawl reports. Every credential found here
# is, by construction, a false positive for the purpose of this benchmark
# (test fixtures and documented sample keys included; the per-hit list lets a
# reader judge them).
#
# Usage: bench/precision.sh [TREE...]
#        bench/precision.sh --repos GIT_DIR...   # HEAD trees of real repositories
# With --repos each argument is a git directory (a bare mirror such as
# /work/.mirror/curl+curl/repo, or a work tree's .git); its HEAD tree is
# extracted with `git archive HEAD` under $OUT/trees/<name> and scanned like
# a TREE (only the files of HEAD, no history, no .git).
#   SPRAWL=path/to/sprawl   binary to test (default: build/sprawl)
#   THREADS=N               worker threads (default: nproc)
#   OUT=DIR                 keep the JSON reports here (default: a temp dir)
#   LIST_LOW=1              list low-confidence hits too
# Default trees: /usr/include /usr/share /usr/lib (binary files are skipped by
# sprawl; only the text it scans is counted). A Debian source package unpacked
# with `apt-get source` can be added as an extra TREE where deb-src is set up.
#
# Output: a Markdown report on stdout — bytes scanned per tree, credentials per
# rule and confidence tier, false positives per 100 MB (high+medium, the
# target is <= 1), and every high/medium hit with its path.
set -euo pipefail

SPRAWL=${SPRAWL:-build/sprawl}
THREADS=${THREADS:-$(nproc)}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
if [ "${1:-}" = "--repos" ]; then
  shift
  [ "$#" -gt 0 ] || { echo "precision.sh: --repos needs at least one git directory" >&2; exit 2; }
  TREES=()
  for g in "$@"; do
    name=$(basename "$(dirname "$g")")
    [ "$(basename "$g")" = ".git" ] || [ "$(basename "$g")" = "repo" ] || name=$(basename "$g")
    dest="$OUT/trees/$name"
    rm -rf "$dest"; mkdir -p "$dest"
    git --git-dir="$g" archive HEAD | tar -x -C "$dest"
    echo "precision.sh: $name HEAD $(git --git-dir="$g" rev-parse --short HEAD) -> $dest" >&2
    TREES+=("$dest")
  done
elif [ "$#" -gt 0 ]; then TREES=("$@"); else TREES=(/usr/include /usr/share /usr/lib); fi

command -v python3 >/dev/null || { echo "precision.sh: python3 is required" >&2; exit 2; }
[ -x "$SPRAWL" ] || { echo "precision.sh: no sprawl binary at $SPRAWL (set SPRAWL=)" >&2; exit 2; }

reports=()
for t in "${TREES[@]}"; do
  [ -d "$t" ] || { echo "precision.sh: skipping missing tree $t" >&2; continue; }
  name=$(echo "$t" | sed 's#^/##; s#/#_#g')
  # Exit status 1 only means "findings failed the gate" (everything is
  # unregistered here); anything else is a real error.
  rc=0
  "$SPRAWL" dir "$t" --format json --threads "$THREADS" --fail-on none \
    >"$OUT/$name.json" 2>"$OUT/$name.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "precision.sh: sprawl exited $rc on $t (see $OUT/$name.err)" >&2
    exit 1
  fi
  reports+=("$t=$OUT/$name.json")
done

python3 - "$SPRAWL" "${reports[@]}" <<'EOF'
import json, os, sys, collections
sprawl = sys.argv[1]
LIST_LOW = os.environ.get('LIST_LOW') == '1'
rows = []
per_rule = collections.Counter()
per_tier = collections.Counter()
lowered = 0
hits = []
total_bytes = 0
for arg in sys.argv[2:]:
    tree, path = arg.split('=', 1)
    d = json.load(open(path))
    s = d['summary']
    b = s['scanned']['bytes']
    total_bytes += b
    tiers = collections.Counter(c['confidence'] for c in d['credentials'])
    rows.append((tree, s['scanned']['files'], b, s['skipped']['binary'], tiers))
    for c in d['credentials']:
        per_rule[(c['rule'], c['confidence'])] += 1
        per_tier[c['confidence']] += 1
        lowered += 1 if c.get('confidence_reason') else 0
        if c['confidence'] in ('high', 'medium') or LIST_LOW:
            locs = c['locations']
            where = f"{tree}/{locs[0]['path']}:{locs[0]['line']}" if locs else tree
            more = f" (+{len(locs) - 1} more)" if len(locs) > 1 else ""
            why = f" [{c['confidence_reason']}]" if c.get('confidence_reason') else ""
            hits.append((c['rule'], c['confidence'], where + more + why))
mb = total_bytes / 1e6
hm = per_tier['high'] + per_tier['medium']
print(f"sprawl: `{sprawl}`\n")
print("| tree | text files scanned | MB scanned | binary files skipped | high | medium | low |")
print("|---|---:|---:|---:|---:|---:|---:|")
for tree, files, b, binary, t in rows:
    print(f"| {tree} | {files:,} | {b/1e6:,.1f} | {binary:,} | {t['high']} | {t['medium']} | {t['low']} |")
print(f"| **total** | | **{mb:,.1f}** | | **{per_tier['high']}** | **{per_tier['medium']}** | **{per_tier['low']}** |\n")
rate = hm / (mb / 100) if mb else 0.0
print(f"High+medium credentials: **{hm}** in {mb:,.1f} MB = **{rate:.2f} per 100 MB** (target <= 1).")
per100 = lambda n: n / (mb / 100) if mb else 0.0
print(f"Per 100 MB by confidence: high {per100(per_tier['high']):.2f}, medium {per100(per_tier['medium']):.2f}, low {per100(per_tier['low']):.2f}.\n")
lrate = per_tier['low'] / (mb / 100) if mb else 0.0
print(f"Low tier (generic heuristics, JWTs, test-mode keys, look-alikes whose checksum fails): {per_tier['low']} = {lrate:.2f} per 100 MB,")
print(f"of which {lowered} lowered because every location is under a test, fixture or example directory.\n")
print("| rule | confidence | credentials |")
print("|---|---|---:|")
for (rule, conf), n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"| `{rule}` | {conf} | {n} |")
if hits:
    print("\nHits (high/medium" + (", low" if LIST_LOW else "") + "):\n")
    for rule, conf, where in sorted(hits):
        print(f"- `{rule}` ({conf}): {where}")
EOF
