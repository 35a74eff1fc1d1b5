#!/usr/bin/env bash
# bench/dir_bench.sh -- `sprawl dir` vs ripgrep vs a plain read, side by side, on large real trees.
#
# Usage: bench/dir_bench.sh [--threads N] [TREE...]
#   TREE      directories to benchmark (default: /usr/include /usr/share)
#   --threads worker threads for every tool (default: nproc)
# Environment:
#   SPRAWL    binary to benchmark (default: build/sprawl, built in Release if missing)
#   RUNS      timed runs per command (default 3)       WARMUP  hyperfine warm-up runs (default 1)
#   RG_RUNS   timed runs for ripgrep (default $RUNS). ripgrep takes many minutes per run on
#             /usr/share; RG_RUNS=0 times it once, by the untimed /usr/bin/time pass (%e).
#   RG_WARMUP hyperfine warm-up runs for ripgrep (default $WARMUP)
#   BENCH_OUT directory for patterns.txt, hyperfine JSON exports and reports (default: mktemp -d)
#   BENCH_NO_HYPERFINE=1  time with a date +%s.%N loop even if hyperfine is installed
#
# For each tree, every command gets one untimed pass under /usr/bin/time (warms the page cache,
# records peak RSS), then is timed with hyperfine (or a date +%s.%N loop if hyperfine is absent).
# MB/s = bytes of regular files in the tree (find -printf %s, counted once) / 10^6 / mean seconds.
# Needs no network beyond scripts/install-deps --bench (ripgrep, hyperfine, time).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

threads=""
trees=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads|-j) threads="$2"; shift 2 ;;
    --threads=*) threads="${1#*=}"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "dir_bench: unknown option $1" >&2; exit 2 ;;
    *) trees+=("$1"); shift ;;
  esac
done
[ ${#trees[@]} -gt 0 ] || trees=(/usr/include /usr/share)
threads="${threads:-$(nproc)}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
RG_RUNS="${RG_RUNS:-$RUNS}"
RG_WARMUP="${RG_WARMUP:-$WARMUP}"

# --- tools --------------------------------------------------------------------------------------
if ! command -v rg >/dev/null || ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  "$root/scripts/install-deps" --bench
fi
command -v rg >/dev/null || { echo "dir_bench: ripgrep (rg) not found" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "dir_bench: /usr/bin/time not found (package time)" >&2; exit 2; }
have_hyperfine=0
command -v hyperfine >/dev/null && [ -z "${BENCH_NO_HYPERFINE:-}" ] && have_hyperfine=1

if [ -z "${SPRAWL:-}" ]; then
  SPRAWL=build/sprawl
  if [ ! -x "$SPRAWL" ]; then
    echo "dir_bench: $SPRAWL missing, building it (Release)" >&2
    "$root/scripts/install-deps"
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j "$(nproc)" >/dev/null
  fi
fi
[ -x "$SPRAWL" ] || { echo "dir_bench: sprawl binary $SPRAWL not found or not executable" >&2; exit 2; }
case "$SPRAWL" in /*) ;; *) SPRAWL="$root/$SPRAWL" ;; esac

out="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sprawl-dir-bench.XXXXXX")}"
mkdir -p "$out"

# --- machine ------------------------------------------------------------------------------------
cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: *//')"
ram="$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "# sprawl dir benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: nproc=$(nproc), CPU: ${cpu:-unknown}, RAM: $ram, kernel $(uname -r)"
echo "- sprawl: $SPRAWL ($("$SPRAWL" --version 2>/dev/null | sed -n 1p))"
echo "- ripgrep: $(rg --version | sed -n 1p); hyperfine: $( [ $have_hyperfine = 1 ] && hyperfine --version || echo 'absent (date loop)')"
echo "- threads: $threads; runs: $RUNS (ripgrep: $RG_RUNS), hyperfine warm-up: $WARMUP (ripgrep: $RG_WARMUP), plus one untimed /usr/bin/time pass of each"
echo "- raw results: $out"
echo

# --- patterns for ripgrep -----------------------------------------------------------------------
"$SPRAWL" rules list --patterns > "$out/patterns.all.txt"
: > "$out/patterns.txt"
: > "$out/patterns.rejected.txt"
total_patterns=0
while IFS= read -r pat || [ -n "$pat" ]; do
  [ -n "$pat" ] || continue
  total_patterns=$((total_patterns + 1))
  printf '%s\n' "$pat" > "$out/one.txt"
  set +e
  rg -q -f "$out/one.txt" /dev/null 2> "$out/one.err"
  rc=$?
  set -e
  if [ $rc -ge 2 ]; then
    printf '%s\n' "$pat" >> "$out/patterns.rejected.txt"
    echo "ripgrep rejects pattern (dropped for rg only): $pat" >&2
    sed 's/^/    /' "$out/one.err" >&2
  else
    printf '%s\n' "$pat" >> "$out/patterns.txt"
  fi
done < "$out/patterns.all.txt"
rm -f "$out/one.txt" "$out/one.err"
rejected="$(wc -l < "$out/patterns.rejected.txt")"
used_patterns="$(wc -l < "$out/patterns.txt")"
echo "Patterns: \`$SPRAWL rules list --patterns\` -> $total_patterns; ripgrep uses $used_patterns, rejected $rejected."
if [ "$rejected" -gt 0 ]; then
  echo "Dropped for ripgrep only (sprawl still scans them):"
  sed 's/^/    /' "$out/patterns.rejected.txt"
fi
echo

# --- helpers ------------------------------------------------------------------------------------
# mean_seconds NAME CMD: times CMD, prints the mean in seconds, keeps the JSON export.
mean_seconds() {
  local name="$1" cmd="$2" runs="$3" warm="$4"
  if [ $have_hyperfine = 1 ]; then
    hyperfine --style none -i --warmup "$warm" --runs "$runs" \
      --export-json "$out/$name.json" "$cmd" >/dev/null 2>&1
    sed -n 's/^ *"mean": *\([0-9.eE+-]*\),*$/\1/p' "$out/$name.json" | head -1
  else
    local i t0 t1 sum=0
    for ((i = 0; i < warm; i++)); do bash -c "$cmd" >/dev/null 2>&1 || true; done
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s.%N); bash -c "$cmd" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
      sum=$(awk -v s="$sum" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", s + b - a}')
    done
    awk -v s="$sum" -v n="$runs" 'BEGIN {printf "%.6f\n", s / n}'
  fi
}

# peak_rss_kb NAME CMD: one pass (the cache warm-up); prints peak RSS in KiB, leaves the exit
# status in $out/NAME.rc and the elapsed wall-clock seconds in $out/NAME.elapsed.
peak_rss_kb() {
  local name="$1" cmd="$2" rc
  set +e
  /usr/bin/time -f '%e %M' -o "$out/$name.rss" bash -c "$cmd" 2> "$out/$name.stderr"
  rc=$?
  set -e
  echo "$rc" > "$out/$name.rc"
  tail -1 "$out/$name.rss" | awk '{print $1}' > "$out/$name.elapsed"
  tail -1 "$out/$name.rss" | awk '{print $2}'
}

fmt_s() { awk -v x="$1" 'BEGIN {printf "%.3f", x}'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN {if (s > 0) printf "%.1f", b / 1e6 / s; else print "-"}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }

summary=()
rc_all=0

# --- start-up with a warm compiled-rules cache --------------------------------------------------
empty="$out/empty-dir"
mkdir -p "$empty"
"$SPRAWL" dir "$empty" --format json > /dev/null || true   # fills the compiled-rules cache
startup_cmd="$SPRAWL dir $empty --format json"
if [ $have_hyperfine = 1 ]; then
  hyperfine --style none -N -i --warmup 3 --runs 30 --export-json "$out/startup.json" \
    "$startup_cmd" >/dev/null 2>&1
  startup="$(sed -n 's/^ *"mean": *\([0-9.eE+-]*\),*$/\1/p' "$out/startup.json" | head -1)"
else
  startup="$(mean_seconds startup "$startup_cmd" 30 3)"
fi
startup_ms="$(awk -v s="$startup" 'BEGIN {printf "%.1f", s * 1000}')"
startup_ok="$(awk -v s="$startup" 'BEGIN {print (s < 0.050) ? "met" : "MISSED"}')"
echo "## Start-up (warm compiled-rules cache)"
echo
echo "    $startup_cmd"
echo
echo "mean ${startup_ms} ms over 30 runs (target < 50 ms: $startup_ok)"
echo

# --- per tree -----------------------------------------------------------------------------------
for tree in "${trees[@]}"; do
  if [ ! -d "$tree" ]; then echo "dir_bench: $tree is not a directory, skipped" >&2; continue; fi
  tag="$(echo "$tree" | tr -c 'A-Za-z0-9\n' '_' | sed 's/^_*//')"
  files="$(find "$tree" -type f | wc -l)"
  bytes="$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')"
  q="$(printf '%q' "$tree")"
  c_sprawl="$SPRAWL dir $q --format json --threads $threads > /dev/null"
  c_rg="rg -j $threads --no-ignore --hidden -c -f $out/patterns.txt $q > /dev/null"
  c_read="find $q -type f -print0 | xargs -0 -P $threads cat > /dev/null"

  echo "## $tree"
  echo
  echo "$files regular files, $bytes bytes ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}') MB)"
  echo
  echo "Commands:"
  echo
  echo "    (a) $c_sprawl"
  echo "    (b) $c_rg"
  echo "    (c) $c_read"
  echo

  # Untimed pass of each: warms the cache, measures peak RSS, and checks sprawl's report.
  rss_read="$(peak_rss_kb "$tag.read" "$c_read")"
  rss_sprawl="$(peak_rss_kb "$tag.sprawl" "$SPRAWL dir $q --format json --threads $threads > $out/$tag.sprawl.report.json")"
  rss_rg="$(peak_rss_kb "$tag.rg" "$c_rg")"
  src="$(cat "$out/$tag.sprawl.rc")"
  if [ "$src" -ge 2 ]; then
    echo "dir_bench: sprawl exited $src on $tree (error); see $out/$tag.sprawl.stderr" >&2
    rc_all=2
  fi
  rrc="$(cat "$out/$tag.rg.rc")"
  [ "$rrc" -lt 2 ] || echo "dir_bench: note: rg exited $rrc on $tree (some files unreadable?)" >&2
  creds="$(sed -n 's/^ *"credentials": *\([0-9][0-9]*\),*$/\1/p' "$out/$tag.sprawl.report.json" | head -1)"
  scanned="$(sed -n '/"scanned"/,/}/ s/^ *"bytes": *\([0-9][0-9]*\),*$/\1/p' "$out/$tag.sprawl.report.json" | head -1)"

  t_read="$(mean_seconds "$tag.read" "$c_read" "$RUNS" "$WARMUP")"
  t_sprawl="$(mean_seconds "$tag.sprawl" "$c_sprawl" "$RUNS" "$WARMUP")"
  if [ "$RG_RUNS" -gt 0 ]; then
    t_rg="$(mean_seconds "$tag.rg" "$c_rg" "$RG_RUNS" "$RG_WARMUP")"
    rg_note="mean of $RG_RUNS"
  else
    t_rg="$(cat "$out/$tag.rg.elapsed")"
    rg_note="single /usr/bin/time run"
  fi

  r_rg="$(ratio "$t_rg" "$t_sprawl")"
  r_read="$(ratio "$t_sprawl" "$t_read")"
  ok_rg="$(awk -v r="$r_rg" 'BEGIN {print (r >= 10) ? "met" : "MISSED"}')"
  ok_read="$(awk -v r="$r_read" 'BEGIN {print (r <= 2) ? "met" : "MISSED"}')"
  ok_rss="$(awk -v k="$rss_sprawl" 'BEGIN {print (k < 200 * 1024) ? "met" : "MISSED"}')"

  echo "| tool | seconds (mean) | MB/s | peak RSS |"
  echo "|---|---:|---:|---:|"
  echo "| sprawl dir (all built-in rules) | $(fmt_s "$t_sprawl") | $(mbps "$bytes" "$t_sprawl") | $(mib "$rss_sprawl") |"
  echo "| ripgrep ($used_patterns patterns; $rg_note) | $(fmt_s "$t_rg") | $(mbps "$bytes" "$t_rg") | $(mib "$rss_rg") |"
  echo "| read every file (cat) | $(fmt_s "$t_read") | $(mbps "$bytes" "$t_read") | $(mib "$rss_read") |"
  echo
  echo "- rg time / sprawl time = **${r_rg}x** (target >= 10x: $ok_rg)"
  echo "- sprawl time / read time = **${r_read}x** (target <= 2x: $ok_read)"
  echo "- sprawl peak RSS $(mib "$rss_sprawl") (target < 200 MB: $ok_rss)"
  echo "- sprawl report: credentials = ${creds:-?}, scanned bytes = ${scanned:-?}, exit status $src"
  if [ "${creds:-0}" != 0 ] && command -v jq >/dev/null; then
    echo "- credentials by provider: $(jq -c '.summary.by_provider' "$out/$tag.sprawl.report.json")"
  fi
  echo
  summary+=("$tree: rg/sprawl ${r_rg}x ($ok_rg), sprawl/read ${r_read}x ($ok_read), credentials ${creds:-?}")
done

echo "## Summary"
echo
echo "- start-up ${startup_ms} ms ($startup_ok)"
for s in "${summary[@]}"; do echo "- $s"; done
exit $rc_all
