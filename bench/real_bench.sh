#!/usr/bin/env bash
# Full-history benchmark of `sprawl git` on real repositories, beside the
# pack-order floor: one `git cat-file --batch` process reading every blob of
# the repository, listed in pack order:
#
#   git cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype)' \
#       --unordered | awk '$2=="blob"{print $1}' | git cat-file --batch >/dev/null
#
# (the sorted --batch-all-objects without --unordered is several times
# slower and no floor). Each round runs the floor, `sprawl git --threads 2`
# and `sprawl git --threads 1` back to back, so all three see the same load;
# ROUNDS rounds are run and every one is printed (the machine may be shared:
# the spread between rounds is the noise). Each run records wall seconds,
# CPU seconds (user + sys) and peak RSS (GNU time), and for sprawl the phase
# split (SPRAWL_PHASE_TIMES=1). The output is Markdown for bench/RESULTS.md.
#
# usage: bench/real_bench.sh [BARE_REPO...]
#   default repositories: /work/.mirror/curl+curl/repo /work/.mirror/git+git/repo
#   SPRAWL=path/to/sprawl (default build/sprawl)   ROUNDS=3 (default 2)
#   THREADS="2 1" (the --threads values to run)     WARM=0 (no untimed
#   warm-up run first)                              SAVE=dir (keep each
#   run's JSON report and stderr there, e.g. to compare two binaries)
#
# Getting the repositories: any bare clone works, e.g.
#   git clone --mirror https://github.com/curl/curl.git curl.git
#   git clone --mirror https://github.com/git/git.git git.git
# then `git -C X.git repack -a -d` if it is not yet one pack.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/.." && pwd)"
SPRAWL="${SPRAWL:-$top/build/sprawl}"
ROUNDS="${ROUNDS:-2}"
THREADS="${THREADS:-2 1}"
SAVE="${SAVE:-}"
repos=("$@")
if ((${#repos[@]} == 0)); then
  repos=(/work/.mirror/curl+curl/repo /work/.mirror/git+git/repo)
fi

if [[ ! -x "$SPRAWL" ]]; then
  echo "no sprawl binary at $SPRAWL (build it, or set SPRAWL=...)" >&2
  exit 2
fi
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
for r in "${repos[@]}"; do
  if [[ ! -d "$r/objects/pack" ]]; then
    cat >&2 <<EOF
$r: not a bare repository with packs.
Get one with e.g. \`git clone --mirror https://github.com/curl/curl.git $r\`
(or the fetch tool of the agent sandbox, which leaves /work/.mirror/OWNER+NAME/repo).
EOF
    exit 2
  fi
done
[[ -n "$SAVE" ]] && mkdir -p "$SAVE"

floor_cmd() {
  git -C "$1" cat-file --batch-all-objects \
    --batch-check='%(objectname) %(objecttype)' --unordered |
    awk '$2=="blob"{print $1}' | git -C "$1" cat-file --batch >/dev/null
}
export -f floor_cmd

# Runs "$@" under GNU time; prints "wall cpu rss_mb"; stderr of the command
# goes to $errfile.
timed() {
  local tfile s m u y
  tfile="$(mktemp)"
  /usr/bin/time -f '%e %M %U %S' -o "$tfile" "$@" 2>"$errfile" || true
  read -r s m u y < <(tail -n 1 "$tfile")
  rm -f "$tfile"
  awk -v s="$s" -v m="$m" -v u="$u" -v y="$y" \
    'BEGIN { printf "%.2f %.2f %d\n", s, u + y, m / 1024 }'
}

phases_of() {
  awk '/^sprawl: phase / { sub(":", "", $3); printf "%s %s / ", $3, $4 }' "$1" |
    sed 's| / $||'
}

errfile="$(mktemp)"
trap 'rm -f "$errfile"' EXIT
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | head -1)
echo "### $(date -u '+%Y-%m-%d %H:%M') UTC: real histories ($commit${dirty:++worktree})"
echo
echo "- machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
  "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
  "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- binary: $SPRAWL; command: \`ROUNDS=$ROUNDS THREADS=\"$THREADS\" bench/real_bench.sh ${repos[*]}\`"
echo "- floor: one \`git cat-file --batch\` reading every blob listed in pack order (see the script)"
echo "- sprawl: \`SPRAWL_PHASE_TIMES=1 sprawl git REPO --threads N --format json > /dev/null\`"
echo

for repo in "${repos[@]}"; do
  name=$(basename "$(dirname "$repo")")
  [[ "$name" == "." || "$name" == "/" ]] && name=$(basename "$repo")
  stats=$(git -C "$repo" cat-file --batch-all-objects --unordered \
    --batch-check='%(objecttype) %(objectsize)' |
    awk '$1 == "blob" { s += $2; n++ } END { printf "%d blobs, %.0f MB of blobs", n, s / 1e6 }')
  commits=$(git -C "$repo" rev-list --all --count 2>/dev/null || echo "?")
  pack_mb=$(du -sm "$repo/objects/pack" | cut -f1)
  # Warm the page cache and the compiled-rules cache (untimed; WARM=0
  # skips it when the caches are known to be warm).
  if [[ "${WARM:-1}" != 0 ]]; then
    floor_cmd "$repo"
    "$SPRAWL" git "$repo" --threads 2 --format json >/dev/null 2>&1 || true
  fi

  echo "#### $name ($commits commits, $stats, packs ${pack_mb} MB)"
  echo
  echo "| round | run | wall s | CPU s | peak RSS MB | wall / floor | CPU / floor CPU | phases (wall s) |"
  echo "|---|---|---:|---:|---:|---:|---:|---|"
  for ((round = 1; round <= ROUNDS; round++)); do
    read -r fw fc fm < <(timed bash -c 'floor_cmd "$1"' _ "$repo")
    echo "| $round | floor | $fw | $fc | $fm | 1.00 | 1.00 | load $(cut -d' ' -f1 /proc/loadavg) |"
    for t in $THREADS; do
      out=/dev/null
      [[ -n "$SAVE" ]] && out="$SAVE/$name-t$t-r$round.json"
      read -r sw sc sm < <(timed env SPRAWL_PHASE_TIMES=1 bash -c \
        '"$1" git "$2" --threads "$3" --format json > "$4"' _ "$SPRAWL" "$repo" "$t" "$out")
      [[ -n "$SAVE" ]] && cp "$errfile" "$SAVE/$name-t$t-r$round.err"
      printf '| %s | sprawl --threads %s | %s | %s | %s | %s | %s | %s |\n' \
        "$round" "$t" "$sw" "$sc" "$sm" \
        "$(awk -v a="$sw" -v b="$fw" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
        "$(awk -v a="$sc" -v b="$fc" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
        "$(phases_of "$errfile")"
    done
  done
  echo
done
