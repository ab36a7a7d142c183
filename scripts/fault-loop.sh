#!/usr/bin/env bash
# Runs the fault suite again and again, outside CI, to catch what happens once in many runs (the
# crash of issue 9 was seen once in nine). Every run's log is kept; a run that fails or dies keeps
# its stack (node --trace-uncaught) and is named in the summary. Bounded: RUNS runs, each cut off
# after RUN_TIMEOUT seconds.
#
#   scripts/fault-loop.sh                       # 30 runs of every fault test
#   RUNS=10 SPEC='dist/test/faults/faults-crash.test.js' scripts/fault-loop.sh
#
# Needs prosody (see README). Logs go to $OUT (default: a new folder under ${TMPDIR:-/tmp}).
set -u
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
SPEC=${SPEC:-dist/test/faults/*.test.js}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compass-fault-loop-XXXXXX")}
mkdir -p "$OUT"

npm run build >"$OUT/build.log" 2>&1 || { echo "build failed, see $OUT/build.log"; exit 2; }

passed=0
failed=0
died=0
for i in $(seq 1 "$RUNS"); do
  log="$OUT/run-$i.log"
  start=$(date +%s)
  # shellcheck disable=SC2086 # SPEC is a glob on purpose
  NODE_OPTIONS="--trace-uncaught" timeout --kill-after=10 "$RUN_TIMEOUT" \
    node_modules/.bin/mocha --no-config --node-option expose-gc --timeout 60000 $SPEC >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - start))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $i: passed in ${took}s"
  elif grep -qE "Uncaught|unhandled rejection|triggerUncaughtException|no uncaught exception" "$log" || [ "$rc" -ge 124 ]; then
    died=$((died + 1))
    echo "run $i: DIED or hung (exit $rc) in ${took}s; log and stack kept in $log"
  else
    failed=$((failed + 1))
    echo "run $i: failed (exit $rc) in ${took}s; see $log"
  fi
  grep -h "FAULT-FIGURE" "$log" | sed "s/^ */run $i /" >>"$OUT/figures.txt"
done
echo "fault loop: $RUNS runs, $passed passed, $failed failed, $died died or hung; logs in $OUT"
[ "$passed" -eq "$RUNS" ]
