#!/usr/bin/env bash
# Full-history scan benchmark for `sprawl git`, next to the decompression
# floor (`git cat-file --batch-all-objects --batch`).
#
# Builds once (cached in bench/.work/) a repository whose history holds
# SIZE_MB megabytes of uncompressed blobs, imported from the text files
# under /usr/include and /usr/share with thousands of commits of edits,
# renames, deletions, merged topic branches and tags (no network needed),
# repacked the way `git gc` leaves a clone. Then times, in one run:
#   git cat-file --batch-all-objects --batch > /dev/null
#   git cat-file --batch-all-objects --batch --unordered > /dev/null
#     (for reference: the same objects read in pack order)
#   sprawl git --threads 2    and    sprawl git --threads 1
# printing seconds, MB/s of uncompressed blob data, peak RSS and ratios.
#
# usage: bench/git_bench.sh            (SIZE_MB=1200 by default)
#        SIZE_MB=100 bench/git_bench.sh   (quick run)
#        COMMITS=60000 bench/git_bench.sh  (at least that many commits of
#          1-4 files each: the shape of a long-lived project's history)
#        SPRAWL=path/to/sprawl RUNS=3 bench/git_bench.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/.." && pwd)"
SIZE_MB="${SIZE_MB:-1200}"
RUNS="${RUNS:-1}"
COMMITS="${COMMITS:-0}"
SPRAWL="${SPRAWL:-$top/build/sprawl}"
work="$here/.work"
repo="$work/history-${SIZE_MB}mb.git"
if ((COMMITS > 0)); then repo="$work/history-${SIZE_MB}mb-${COMMITS}c.git"; fi

if [[ ! -x "$SPRAWL" ]]; then
  echo "no sprawl binary at $SPRAWL (build it, or set SPRAWL=...)" >&2
  exit 2
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time" >&2; exit 2; }

if [[ ! -f "$repo/.complete" ]]; then
  echo "building $repo (${SIZE_MB} MB of blobs; cached for later runs)..." >&2
  rm -rf "$repo"
  mkdir -p "$work"
  git init -q --bare "$repo"
  python3 "$here/gen_git_history.py" $((SIZE_MB * 1024 * 1024)) "$COMMITS" |
    git -C "$repo" fast-import --quiet
  git -C "$repo" repack -a -d -f -q --window=10 --depth=50
  git -C "$repo" prune-packed
  touch "$repo/.complete"
fi

blob_bytes=$(git -C "$repo" cat-file --batch-all-objects \
  --batch-check='%(objecttype) %(objectsize)' |
  awk '$1 == "blob" { s += $2; n++ } END { printf "%d %d", s, n }')
blob_count=${blob_bytes#* }
blob_bytes=${blob_bytes% *}
commits=$(git -C "$repo" rev-list --all --count)
pack_mb=$(du -sm "$repo/objects/pack" | cut -f1)
blob_mb=$(awk -v b="$blob_bytes" 'BEGIN { printf "%.0f", b / 1048576 }')

# Runs "$@" RUNS times; prints "wall_seconds peak_rss_kb cpu_seconds" of the
# fastest run (cpu = user + sys: the fairer number on a loaded machine).
measure() {
  local best="" rss="" cpu="" tfile s m u y
  tfile="$(mktemp)"
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%e %M %U %S' -o "$tfile" "$@" >/dev/null 2>"$tfile.err" || true
    read -r s m u y < <(tail -n 1 "$tfile")
    if [[ -z "$best" ]] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best="$s"
      rss="$m"
      cpu=$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')
    fi
  done
  rm -f "$tfile" "$tfile.err"
  echo "$best $rss $cpu"
}

# Warm the page cache and the compiled-rules cache.
git -C "$repo" cat-file --batch-all-objects --batch >/dev/null
"$SPRAWL" git "$repo" --threads 2 --format json >/dev/null 2>&1 || true

read -r t_cat m_cat c_cat < <(measure git -C "$repo" cat-file --batch-all-objects --batch)
read -r t_un m_un c_un < <(measure git -C "$repo" cat-file --batch-all-objects --batch --unordered)
read -r t_s2 m_s2 c_s2 < <(measure "$SPRAWL" git "$repo" --threads 2 --format json)
read -r t_s1 m_s1 c_s1 < <(measure "$SPRAWL" git "$repo" --threads 1 --format json)
# The same scan with the commit walk instead of the tree pass (what sprawl
# did before the tree pass; still used for --range and small repositories).
read -r t_w2 m_w2 c_w2 < <(measure env SPRAWL_PROVENANCE=walk "$SPRAWL" git "$repo" --threads 2 --format json)
found=$("$SPRAWL" git "$repo" --threads 2 --format json 2>/dev/null |
  grep -c '"source": *"git"' || true)

# Phase split of one 2-thread run (SPRAWL_PHASE_TIMES). Provenance is the
# tree pass ("trees"), the walk over the relevant trees ("walk") and
# locating the findings ("locations"); the commit graph is read during the
# blob scan ("commits" only waits for it). The object catalog ("catalog")
# lists every object for both the blob scan and the tree pass, so the share
# is printed without it and with it.
# With RUNS > 1, the run whose total is the median is shown.
phase_runs=""
for ((i = 0; i < RUNS; i++)); do
  one=$({ SPRAWL_PHASE_TIMES=1 "$SPRAWL" git "$repo" --threads 2 --format json \
    2>&1 >/dev/null || true; } |
    awk '/^sprawl: phase / { sub(":", "", $3); printf "%s=%s ", $3, $4; t += $4 }
         END { printf "total=%.2f", t }')
  phase_runs+="$one"$'\n'
done
phases=$(printf '%s' "$phase_runs" | awk 'NF { split($NF, kv, "="); print kv[2], $0 }' |
  sort -n | awk '{ rows[NR] = $0 } END { r = rows[int((NR + 1) / 2)];
    sub(/^[^ ]+ /, "", r); sub(/ ?total=[0-9.]+$/, "", r); print r }')

rate() { awk -v b="$blob_bytes" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? b / 1048576 / t : 0) }'; }
row() {
  printf '%-36s %8s %6s %6s %12s %11s %10s' "$1" "$2" "$(rate "$2")" "$3" \
    $(($4 / 1024)) "$(ratio "$2" "$t_cat")" "$(ratio "$3" "$c_cat")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

cat <<RESULT
repository: $repo
  commits: $commits, blobs: $blob_count, uncompressed blobs: ${blob_mb} MB, packs: ${pack_mb} MB
  git locations found by sprawl: $found
machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)
tool                                  wall s   MB/s  CPU s  peak RSS MB  wall ratio  CPU ratio
$(row "git cat-file --batch-all-objects" "$t_cat" "$c_cat" "$m_cat")
$(row "git cat-file ... --unordered" "$t_un" "$c_un" "$m_un")
$(row "sprawl git --threads 2" "$t_s2" "$c_s2" "$m_s2")
$(row "sprawl git --threads 1" "$t_s1" "$c_s1" "$m_s1")
$(row "sprawl git --threads 2 (commit walk)" "$t_w2" "$c_w2" "$m_w2")
(ratios are to the first line; --unordered reads the same objects in pack order)
phases of sprawl git --threads 2 (wall s): $phases
$(echo "$phases" | tr ' =' '\n ' | awk 'NF == 2 { t += $2; if ($1 == "catalog") c += $2;
  else if ($1 != "blobs") p += $2 }
  END { if (t > 0) printf "provenance share: %.0f%% of %.2f s (%.0f%% counting the object catalog)",
    100 * p / t, t, 100 * (p + c) / t }')
RESULT
