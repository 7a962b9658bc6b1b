#!/usr/bin/env bash
# No flakes (issue 4): run the whole suite against the embedded reference issuer N times in a
# row and report failures (expected 0) and the spread of wall times.
#
#   scripts/flake-check.sh            # 30 runs of the debug binary
#   N=100 scripts/flake-check.sh      # more runs
#   PROFILE=release scripts/flake-check.sh
#
# Builds once, then runs `tokenspec run --quiet` (every scenario, @slow included) and records
# each run's exit code and wall time. A failing run's output is kept in $OUT_DIR so the flaky
# scenario can be read afterwards. Exits 1 if any run failed. Results: docs/proving-verdicts.md.
set -euo pipefail

N="${N:-30}"
PROFILE="${PROFILE:-debug}"
cd "$(dirname "$0")/.."

if [[ "$PROFILE" == "release" ]]; then
  cargo build --quiet --release -p tokenspec --bin tokenspec
else
  cargo build --quiet -p tokenspec --bin tokenspec
fi
BIN="target/$PROFILE/tokenspec"
OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/flake-check.XXXXXX")"

echo "flake-check: $N runs of $BIN run --quiet (embedded reference issuer); outputs in $OUT_DIR"
times=()
failures=0
for i in $(seq 1 "$N"); do
  start=$(date +%s%N)
  set +e
  "$BIN" run --quiet >"$OUT_DIR/run-$i.out" 2>&1
  rc=$?
  set -e
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  times+=("$ms")
  summary=$(tail -n 1 "$OUT_DIR/run-$i.out")
  printf 'run %3d  exit %d  %6d ms  %s\n' "$i" "$rc" "$ms" "$summary"
  if [[ $rc -ne 0 ]]; then
    failures=$((failures + 1))
    echo "  FAILED run $i; its failures:"
    grep -E '^\s*(FAIL|ERROR)' "$OUT_DIR/run-$i.out" | sed 's/^/    /' || true
  else
    rm -f "$OUT_DIR/run-$i.out"
  fi
done

printf '%s\n' "${times[@]}" | sort -n | awk -v n="$N" -v f="$failures" '
  { t[NR] = $1; sum += $1 }
  END {
    median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "flake-check: %d runs, %d failed; wall time ms: min %d, median %d, max %d, spread (max-min) %d, mean %.0f\n",
      n, f, t[1], median, t[NR], t[NR] - t[1], sum / NR
  }'
[[ $failures -eq 0 ]]
