#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/, built by the `fuzz` CMake preset) for a
# fixed time each, one after another, and records executions, coverage and
# crashes. Usage:
#
#   bench/fuzz.sh [SECONDS] [--no-record]     default 60 s per target
#
# Each target keeps a growing corpus in build-fuzz/corpus/<target>, seeded
# from fixtures/fuzz/<target>; crashing inputs land in build-fuzz/artifacts/.
# Unless --no-record, a table is added to bench/RESULTS.md under
# "## fuzzing". Exits 1 when any target crashed, timed out or leaked.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
record=1
for arg in "$@"; do
  case "$arg" in
    --no-record) record=0 ;;
    ''|*[!0-9]*) echo "fuzz.sh: usage: bench/fuzz.sh [SECONDS] [--no-record]" >&2; exit 2 ;;
    *) seconds="$arg" ;;
  esac
done
# SPRAWL_FUZZ_TARGETS="a b" runs only those.
targets=(${SPRAWL_FUZZ_TARGETS:-matcher rule_pack inventory config pipeline segment})

scripts/install-deps --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_all -j"${SPRAWL_JOBS:-2}"

out=build-fuzz
mkdir -p "$out/artifacts" "$out/logs"
rows=""
failed=0
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  mkdir -p "$corpus"
  dict=()
  case "$t" in rule_pack|inventory|config|pipeline) dict=(-dict=fuzz/yaml.dict) ;; esac
  log="$out/logs/$t.log"
  set +e
  # -timeout: one input slower than 10 s is a hang; -rss_limit_mb: a run
  # above 2 GiB is a memory blow-up. Both count as crashes.
  ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
    "$out/fuzz/fuzz_$t" "$corpus" "fixtures/fuzz/$t" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  units=$(find "$corpus" -type f | wc -l)
  verdict="ok"
  if [ $rc -ne 0 ]; then
    verdict="FAILED (exit $rc: $(grep -m1 -o 'ERROR: [A-Za-z]*[^ ]*.*' "$log" | cut -c1-80); see $log)"
    failed=1
  fi
  printf 'fuzz %-10s %6s s  %10s execs  %7s/s  cov %5s  ft %6s  corpus %5s  %s\n' \
    "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$units" "$verdict" >&2
  rows+="| \`fuzz_$t\` | $seconds | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | $units | $verdict |"$'\n'
done

if [ "$record" = 1 ]; then
  results=bench/RESULTS.md
  block="### $(date -u '+%Y-%m-%d %H:%M') UTC, ${seconds} s per target, $(git rev-parse --short HEAD 2>/dev/null || echo '?')+worktree"$'\n\n'
  block+="| target | seconds | executions | exec/s | cov | ft | corpus | result |"$'\n'
  block+="|---|---:|---:|---:|---:|---:|---:|---|"$'\n'
  block+="$rows"
  touch "$results"
  if ! grep -q '^## fuzzing' "$results"; then
    printf '\n## fuzzing\n\n`bench/fuzz.sh [SECONDS]`: each libFuzzer target (fuzz/, `cmake --preset fuzz`: clang 14,\n-O1, ASan+UBSan, libFuzzer) for SECONDS, single process, corpus seeded from\nfixtures/fuzz/<target>. cov/ft are libFuzzer'"'"'s edge coverage and features at the end.\n' >>"$results"
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
