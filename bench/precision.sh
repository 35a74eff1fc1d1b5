#!/usr/bin/env bash
# Precision benchmark: run every built-in rule over large real trees that hold
# no live secrets and count what sprawl reports. Every credential found here
# is, by construction, a false positive for the purpose of this benchmark
# (test fixtures and documented sample keys included; the per-hit list lets a
# reader judge them).
#
# Usage: bench/precision.sh [TREE...]
#   SPRAWL=path/to/sprawl   binary to test (default: build/sprawl)
#   THREADS=N               worker threads (default: nproc)
#   OUT=DIR                 keep the JSON reports here (default: a temp dir)
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
if [ "$#" -gt 0 ]; then TREES=("$@"); else TREES=(/usr/include /usr/share /usr/lib); fi
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

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
import json, sys, collections
sprawl = sys.argv[1]
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
        if c['confidence'] in ('high', 'medium'):
            locs = c['locations']
            where = f"{tree}/{locs[0]['path']}:{locs[0]['line']}" if locs else tree
            more = f" (+{len(locs) - 1} more)" if len(locs) > 1 else ""
            hits.append((c['rule'], c['confidence'], where + more))
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
lrate = per_tier['low'] / (mb / 100) if mb else 0.0
print(f"Low tier (generic heuristics, JWTs, test-mode keys, look-alikes whose checksum fails): {per_tier['low']} = {lrate:.2f} per 100 MB,")
print(f"of which {lowered} lowered because every location is under a test, fixture or example directory.\n")
print("| rule | confidence | credentials |")
print("|---|---|---:|")
for (rule, conf), n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"| `{rule}` | {conf} | {n} |")
if hits:
    print("\nHigh/medium hits:\n")
    for rule, conf, where in sorted(hits):
        print(f"- `{rule}` ({conf}): {where}")
EOF
