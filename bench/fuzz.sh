#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/) for a fixed time or a fixed number of
# executions each, and records executions, coverage and crashes. Usage:
#
#   bench/fuzz.sh [SECONDS] [--runs N] [--throughput] [--jobs J] [--nice N]
#                 [--no-record]
#
#   SECONDS       stop each target after this long (default 60; 0 = no limit,
#                 which needs --runs)
#   --runs N      stop each target after N executions (libFuzzer -runs=N);
#                 with SECONDS too, whichever comes first
#   --throughput  build-fuzz-fast: -O2, UBSan + libFuzzer, no ASan (several
#                 times faster; what the 10-million-execution runs use).
#                 Default: the `fuzz` preset, build-fuzz: -O1, ASan + UBSan
#   --jobs J      run J targets at once (default 1; each is one process)
#   --nice N      niceness of the fuzz processes (default 19: the machine is
#                 shared, fuzzing only gets idle cycles)
#   --no-record   do not add a table to bench/RESULTS.md
#
# SPRAWL_FUZZ_TARGETS="a b" runs only those targets. Each target keeps a
# growing corpus in <build>/corpus/<target>, seeded from
# fixtures/fuzz/<target>; crashing inputs land in <build>/artifacts/, logs in
# <build>/logs/. Each target has its own -max_len (below): long enough for
# what it parses, short enough that an execution stays cheap. Unless
# --no-record, a table is added under "## fuzzing" in bench/RESULTS.md.
# Exits 1 when any target crashed, timed out, leaked or broke a property.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "fuzz.sh: usage: bench/fuzz.sh [SECONDS] [--runs N] [--throughput]" \
    "[--jobs J] [--nice N] [--no-record]" >&2
  exit 2
}
is_number() { [[ "$1" =~ ^[0-9]+$ ]]; }

seconds=60
runs=0
record=1
mode=checked
jobs=1
niceness=19
while [ $# -gt 0 ]; do
  case "$1" in
    --no-record) record=0 ;;
    --throughput) mode=throughput ;;
    --runs) shift; is_number "${1:-}" || usage; runs="$1" ;;
    --jobs) shift; is_number "${1:-}" && [ "$1" -ge 1 ] || usage; jobs="$1" ;;
    --nice) shift; is_number "${1:-}" || usage; niceness="$1" ;;
    *) is_number "$1" || usage; seconds="$1" ;;
  esac
  shift
done
if [ "$seconds" = 0 ] && [ "$runs" = 0 ]; then usage; fi
targets=(${SPRAWL_FUZZ_TARGETS:-matcher rule_pack inventory config pipeline segment pack})

# Seconds a target spends before its first input, added to its budget:
# libFuzzer counts -max_total_time from process start, and the matcher target
# compiles every built-in rule (instrumented) in LLVMFuzzerInitialize.
setup_seconds_of() {
  case "$1" in
    matcher) echo 20 ;;
    *) echo 0 ;;
  esac
}

max_len_of() {
  case "$1" in
    matcher) echo 512 ;;      # a secret and its keyword context fit easily
    segment) echo 256 ;;      # header + token; the filler is repeated
    pack) echo 600 ;;         # a base of up to 255 bytes and its delta
    config) echo 1024 ;;
    *) echo 2048 ;;           # rule packs, inventories, pipeline files
  esac
}

scripts/install-deps --fuzz
if [ "$mode" = throughput ]; then
  out=build-fuzz-fast
  sanitizers="UBSan"
  cmake -S . -B "$out" -G "Unix Makefiles" \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS" \
    -DSPRAWL_BUILD_TESTS=OFF -DSPRAWL_FUZZ=ON \
    -DSPRAWL_FUZZ_SANITIZERS=undefined >/dev/null
  cmake --build "$out" --target fuzz_all -j"${SPRAWL_JOBS:-2}"
else
  out=build-fuzz
  sanitizers="ASan+UBSan"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz --target fuzz_all -j"${SPRAWL_JOBS:-2}"
fi
mkdir -p "$out/artifacts" "$out/logs"

# Runs one target; writes its table row to $out/logs/<target>.row and a
# one-line summary to stderr. Returns non-zero when the target failed.
run_target() {
  local t="$1" corpus="$out/corpus/$1" log="$out/logs/$1.log"
  local max_len dict=() limits=() rc start elapsed
  max_len=$(max_len_of "$t")
  mkdir -p "$corpus"
  case "$t" in rule_pack|inventory|config|pipeline) dict=(-dict=fuzz/yaml.dict) ;; esac
  [ "$seconds" != 0 ] && limits+=(-max_total_time="$((seconds + $(setup_seconds_of "$t")))")
  [ "$runs" != 0 ] && limits+=(-runs="$runs")
  start=$(date +%s)
  set +e
  # -timeout: one input slower than 10 s is a hang; -rss_limit_mb: a run
  # above 2 GiB is a memory blow-up. Both count as crashes. Leak checks
  # need ASan (the default build).
  ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
    nice -n "$niceness" "$out/fuzz/fuzz_$t" "$corpus" "fixtures/fuzz/$t" \
    "${dict[@]}" "${limits[@]}" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$t-" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(($(date +%s) - start))
  local execs rate cov ft units verdict="ok"
  # A target that died before its first coverage line still gets a row
  # ("?" columns) and its verdict: grep finding nothing must not end the job.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
  ft=$({ grep -o 'ft: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
  units=$(find "$corpus" -type f | wc -l)
  if [ $rc -ne 0 ]; then
    verdict="FAILED (exit $rc: $({ grep -m1 -o 'ERROR: [A-Za-z]*[^ ]*.*' "$log" || true; } | cut -c1-80); see $log)"
    # CI keeps only the console: the end of the log says why.
    echo "fuzz $t: last lines of $log:" >&2
    tail -n 25 "$log" | grep -v 'NEW\|REDUCE\|pulse' >&2 || true
  fi
  printf 'fuzz %-10s %6s s  %10s execs  %7s/s  cov %5s  ft %6s  corpus %5s  %s\n' \
    "$t" "$elapsed" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$units" "$verdict" >&2
  echo "| \`fuzz_$t\` | $sanitizers | $max_len | ${execs:-?} | $elapsed | ${rate:-?} | ${cov:-?} | ${ft:-?} | $units | $verdict |" \
    >"$out/logs/$t.row"
  [ $rc -eq 0 ]
}

failed=0
running=0
for t in "${targets[@]}"; do
  rm -f "$out/logs/$t.row"
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done

if [ "$record" = 1 ]; then
  rows=""
  for t in "${targets[@]}"; do rows+="$(cat "$out/logs/$t.row")"$'\n'; done
  limit="${seconds} s"
  [ "$seconds" = 0 ] && limit="no time limit"
  [ "$runs" != 0 ] && limit+=", ${runs} runs"
  results=bench/RESULTS.md
  block="### $(date -u '+%Y-%m-%d %H:%M') UTC, $mode build, $limit per target, $jobs at a time, $(git rev-parse --short HEAD 2>/dev/null || echo '?')+worktree"$'\n\n'
  block+="| target | sanitizers | max_len | executions | seconds | exec/s | cov | ft | corpus | result |"$'\n'
  block+="|---|---|---:|---:|---:|---:|---:|---:|---:|---|"$'\n'
  block+="$rows"
  touch "$results"
  if ! grep -q '^## fuzzing' "$results"; then
    printf '\n## fuzzing\n\nSee bench/fuzz.sh.\n' >>"$results"
  fi
  # Insert the block at the end of the "## fuzzing" section.
  tmp=$(mktemp)
  BLOCK="$block" awk '
    /^## / { if (infuzz) { print ENVIRON["BLOCK"]; done = 1 } infuzz = ($0 ~ /^## fuzzing/) }
    { print }
    END { if (infuzz && !done) { print ""; printf "%s", ENVIRON["BLOCK"] } }' "$results" >"$tmp"
  mv "$tmp" "$results"
fi
exit $failed
