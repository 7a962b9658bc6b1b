#!/usr/bin/env bash
# Benchmark the reference issuer side by side with an HTTP ceiling and peer token issuers
# (issue 5), on this machine, in one run, and print one table of same-run ratios.
#
#   scripts/bench.sh            # full run (about 8 minutes on 2 cores after the build)
#   scripts/bench.sh --quick    # smoke run: 3 s per target, 2 rounds, 100,000 tokens for memory
#
# What it does:
#   1. builds the release binaries (reference-server, the `ceiling` and `rsa_sign_rate`
#      examples, tokenspec); installs wrk (apt-get) when missing and the npm peers into
#      bench-out/peers (never into the repository);
#   2. starts every target on 127.0.0.1:0: the ceiling (a trivial axum handler, same server
#      setup as the issuer), one reference issuer per row (profile scripts/bench/bench.toml),
#      oauth2-mock-server with an RS256 and with an EdDSA key, @node-oauth/oauth2-server;
#   3. warms each target up, then runs `wrk -t$THREADS -c$CONNECTIONS -d$DURATION` (keep-alive,
#      form POST) over ROUNDS rounds in alternating order, and takes each target's median;
#   4. measures the RSA-2048 signing rate of this machine in the same run (aws-lc-rs, the
#      issuer's library, on 2 threads; `openssl speed` on 2 processes for comparison);
#   5. times the whole conformance suite against the embedded issuer;
#   6. measures the issuer's resident memory after issuing MEMORY_TOKENS short-lived opaque
#      tokens, and again after they expired and were purged;
#   7. prints the table and writes it, with the raw numbers, to bench-out/.
#
# Environment (defaults in brackets): BENCH_DURATION [8] seconds per run, BENCH_WARMUP [2],
# BENCH_ROUNDS [3], BENCH_THREADS [1], BENCH_CONNECTIONS [32], BENCH_MEMORY_TOKENS [1000000],
# BENCH_SKIP_PEERS / BENCH_SKIP_SUITE / BENCH_SKIP_MEMORY [0], BENCH_OUT [bench-out],
# CARGO_TARGET_DIR [target].
#
# Every server this script starts is stopped by its PID on exit. Nothing else is touched.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
MEMORY_TOKENS=${BENCH_MEMORY_TOKENS:-1000000}
SKIP_PEERS=${BENCH_SKIP_PEERS:-0}
SKIP_SUITE=${BENCH_SKIP_SUITE:-0}
SKIP_MEMORY=${BENCH_SKIP_MEMORY:-0}
if [[ ${1:-} == --quick ]]; then
  DURATION=3 WARMUP=1 ROUNDS=2 MEMORY_TOKENS=100000
elif [[ -n ${1:-} ]]; then
  sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
OUT=${BENCH_OUT:-$ROOT/bench-out}
REL=${CARGO_TARGET_DIR:-$ROOT/target}/release
BENCH=$ROOT/scripts/bench
PROFILE=$BENCH/bench.toml
# The suite's longest mandatory wait: the steps that wait out a short token validity or refresh
# window sleep for it plus 300 ms (src/world.rs), and the reference profile's short validities and
# windows that scenarios wait out are 1 s. The suite-speed goal of issue 5 is that wait plus 2 s.
# The longest scenario's measured duration is printed next to it as a cross-check.
LONGEST_WAIT=${BENCH_LONGEST_WAIT:-1.3}

mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
: >"$RESULTS"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- processes --------------------------------------------------------------------------------

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

declare -A URL SPID

# start NAME CMD... : runs CMD in the background and waits for "listening on URL" on stdout.
start() {
  local name=$1 url="" i
  shift
  # Remove the previous run's output first, or its "listening on" line could be read.
  rm -f "$OUT/$name.out" "$OUT/$name.err"
  "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  local pid=$!
  PIDS+=("$pid")
  SPID[$name]=$pid
  for ((i = 0; i < 300; i++)); do
    url=$(awk 'NR == 1 && $1 == "listening" { print $3 }' "$OUT/$name.out" 2>/dev/null || true)
    if [[ -n $url ]]; then
      URL[$name]=$url
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$OUT/$name.err" >&2; die "$name exited during start"; }
    sleep 0.1
  done
  die "$name did not print 'listening on URL' within 30 s"
}

# CPU time (user + system, in clock ticks) of a process and all its threads.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---- arithmetic -------------------------------------------------------------------------------

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
ge() { awk "BEGIN { exit !(($1) >= ($2)) }"; }
thousands() { printf '%.0f' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- 1. build and install ---------------------------------------------------------------------

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "building release binaries"
cargo build --release --quiet -p reference-server --bin reference-server --example ceiling --example rsa_sign_rate
cargo build --release --quiet -p tokenspec --bin tokenspec

if ! command -v wrk >/dev/null; then
  log "installing wrk (apt-get)"
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi
command -v wrk >/dev/null || die "wrk is not installed and apt-get could not install it"

PEERS_OK=0
if [[ $SKIP_PEERS != 1 ]]; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    mkdir -p "$OUT/peers"
    cp "$BENCH/package.json" "$BENCH/mock-peer.mjs" "$BENCH/node-oauth-peer.cjs" "$OUT/peers/"
    if [[ ! -d $OUT/peers/node_modules/oauth2-mock-server || ! -d $OUT/peers/node_modules/@node-oauth/oauth2-server ]]; then
      log "installing peers with npm into $OUT/peers"
      (cd "$OUT/peers" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    fi
    PEERS_OK=1
  else
    log "node/npm not found: peers skipped"
  fi
fi

# ---- 2. targets -------------------------------------------------------------------------------

CC_PEER='grant_type=client_credentials&client_id=bench-client&client_secret=bench-secret'
declare -A PATH_OF BODY_OF SCRIPT_OF PREFIX_OF SERVER_OF LABEL_OF
ROWS=()
row() { # row NAME SERVER PATH SCRIPT LABEL BODY [REFRESH_PREFIX]
  ROWS+=("$1")
  SERVER_OF[$1]=$2 PATH_OF[$1]=$3 SCRIPT_OF[$1]=$4 LABEL_OF[$1]=$5 BODY_OF[$1]=$6 PREFIX_OF[$1]=${7:-}
}
row ceiling ceiling /auth/token post.lua "ceiling: axum fixed JSON" "$CC_PEER"
row rs256 ref-rs256 /auth/jwt post.lua "reference JWT RS256 client_credentials" \
  'grant_type=client_credentials&client_id=bench-rs256-key&client_secret=bench-rs256-secret'
row hs256 ref-hs256 /auth/jwt post.lua "reference JWT HS256 client_credentials" \
  'grant_type=client_credentials&client_id=bench-hs256-key&client_secret=bench-hs256-secret'
row opaque ref-opaque /auth/token post.lua "reference opaque client_credentials" \
  'grant_type=client_credentials&client_id=bench-opaque-key&client_secret=bench-opaque-secret'
row password-jwt ref-password-jwt /auth/jwt post.lua "reference JWT HS256 password" \
  'grant_type=password&client_id=bench-hs256-password-key&client_secret=-&username=bench-user&password=bench-user-pw'
row password-opaque ref-password-opaque /credential/token post.lua "reference opaque password" \
  'grant_type=password&client_id=bench-opaque-password-key&client_secret=bench-opaque-password-secret&username=bench-user&password=bench-user-pw'
row refresh ref-refresh /credential/token refresh.lua "reference opaque refresh_token" \
  'grant_type=client_credentials&client_id=bench-opaque-refresh-key&client_secret=bench-opaque-refresh-secret' \
  'grant_type=refresh_token&client_id=bench-opaque-refresh-key&client_secret=bench-opaque-refresh-secret&refresh_token='
if [[ $PEERS_OK == 1 ]]; then
  row mock-rs256 mock-rs256 /token post.lua "peer oauth2-mock-server RS256" "$CC_PEER"
  row mock-eddsa mock-eddsa /token post.lua "peer oauth2-mock-server EdDSA" "$CC_PEER"
  row node-oauth node-oauth /token post.lua "peer @node-oauth/oauth2-server opaque" "$CC_PEER"
fi

log "starting targets"
start ceiling "$REL/examples/ceiling" --bind 127.0.0.1:0
for name in "${ROWS[@]}"; do
  server=${SERVER_OF[$name]}
  if [[ $server == ref-* ]]; then
    RUST_LOG=warn start "$server" "$REL/reference-server" --profile "$PROFILE" --bind 127.0.0.1:0
  fi
done
if [[ $PEERS_OK == 1 ]]; then
  start mock-rs256 node "$OUT/peers/mock-peer.mjs" RS256
  start mock-eddsa node "$OUT/peers/mock-peer.mjs" EdDSA
  start node-oauth node "$OUT/peers/node-oauth-peer.cjs"
fi

# Every target must issue a token before it is measured.
for name in "${ROWS[@]}"; do
  server=${SERVER_OF[$name]}
  body=$(curl -s --max-time 10 -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "${BODY_OF[$name]}" "${URL[$server]}${PATH_OF[$name]}" || true)
  [[ $body == *'"access_token"'* ]] || die "$name did not issue a token: ${body:0:200}"
done

# run_wrk NAME SECONDS TAG : one wrk run; appends "NAME TAG req/s p50 p90 p99 non2xx sockerr cpu%"
TICKS=$(getconf CLK_TCK)
run_wrk() {
  local name=$1 seconds=$2 tag=$3 server=${SERVER_OF[$1]}
  local pid=${SPID[$server]} before after line
  before=$(cpu_ticks "$pid")
  BENCH_BODY=${BODY_OF[$name]} BENCH_REFRESH_PREFIX=${PREFIX_OF[$name]} \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$BENCH/${SCRIPT_OF[$name]}" \
    "${URL[$server]}${PATH_OF[$name]}" >"$OUT/wrk-$name-$tag.txt" 2>&1
  after=$(cpu_ticks "$pid")
  line=$(awk '$1 == "RESULT"' "$OUT/wrk-$name-$tag.txt")
  [[ -n $line ]] || die "wrk produced no result for $name (see $OUT/wrk-$name-$tag.txt)"
  read -r _ _ secs rps p50 p90 p99 non2xx sockerr <<<"$line"
  cpu=$(calc "100 * ($after - $before) / $TICKS / $secs" 0)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tag" "$rps" "$p50" "$p90" "$p99" "$non2xx" "$sockerr" "$cpu" >>"$RESULTS"
  log "$(printf '%-16s %-8s %10.0f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %s  socket errors %s  server CPU %s%%' \
    "$name" "$tag" "$rps" "$p50" "$p99" "$non2xx" "$sockerr" "$cpu")"
}

# ---- 3. RSA signing rate (before the HTTP rounds) ---------------------------------------------

rsa_rates() { # prints: aws-lc-rs signs/s, aws-lc-rs signs per CPU-second, openssl signs/s
  local aws count cpu ossl
  read -r aws count cpu < <(
    TIMEFORMAT='%U %S'
    { time "$REL/examples/rsa_sign_rate" 2 3 >"$OUT/rsa.txt"; } 2>"$OUT/rsa.time"
    awk '$1 == "RESULT" { printf "%s %s ", $2, $4 }' "$OUT/rsa.txt"
    awk '{ print $1 + $2 }' "$OUT/rsa.time"
  )
  ossl=$( (openssl speed -seconds 3 rsa2048 2>/dev/null & openssl speed -seconds 3 rsa2048 2>/dev/null; wait) |
    awk '$1 == "rsa" && $2 == "2048" { s += $6 } END { printf "%.1f", s }')
  echo "$aws $(calc "$count / $cpu" 0) $ossl"
}
log "measuring the RSA-2048 signing rate (2 threads, aws-lc-rs; 2 processes, openssl)"
read -r RSA_AWS_1 RSA_CPU_1 RSA_OSSL_1 <<<"$(rsa_rates)"

# ---- 4. rounds --------------------------------------------------------------------------------

log "warm-up: ${WARMUP} s per target"
for name in "${ROWS[@]}"; do
  run_wrk "$name" "$WARMUP" warmup
done
sed -i '/\twarmup\t/d' "$RESULTS"

for ((round = 1; round <= ROUNDS; round++)); do
  order=("${ROWS[@]}")
  if ((round % 2 == 0)); then
    order=()
    for ((i = ${#ROWS[@]} - 1; i >= 0; i--)); do order+=("${ROWS[$i]}"); done
  fi
  log "round $round of $ROUNDS: ${order[*]}"
  for name in "${order[@]}"; do
    run_wrk "$name" "$DURATION" "round$round"
    sleep 1
  done
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "measuring the RSA-2048 signing rate again"
read -r RSA_AWS_2 RSA_CPU_2 RSA_OSSL_2 <<<"$(rsa_rates)"
RSA_AWS=$(calc "($RSA_AWS_1 + $RSA_AWS_2) / 2" 0)
RSA_OSSL=$(calc "($RSA_OSSL_1 + $RSA_OSSL_2) / 2" 0)
RSA_CPU=$(calc "($RSA_CPU_1 + $RSA_CPU_2) / 2" 0)

# Stop the throughput targets before the suite and memory phases.
cleanup
PIDS=()

declare -A RPS P50 P99 CPU ERRS EFF
for name in "${ROWS[@]}"; do
  RPS[$name]=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' "$RESULTS" | median)
  P50[$name]=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$RESULTS" | median)
  P99[$name]=$(awk -F'\t' -v n="$name" '$1 == n { print $6 }' "$RESULTS" | median)
  CPU[$name]=$(awk -F'\t' -v n="$name" '$1 == n { print $9 }' "$RESULTS" | median)
  # Requests per second of server CPU time: robust to other load on the machine.
  EFF[$name]=$(awk -F'\t' -v n="$name" '$1 == n && $9 > 0 { print 100 * $3 / $9 }' "$RESULTS" | median)
  ERRS[$name]=$(awk -F'\t' -v n="$name" '$1 == n { s += $7 + $8 } END { print s + 0 }' "$RESULTS")
done

# ---- 5. suite speed ---------------------------------------------------------------------------

SUITE_S="" SUITE_RC="" LONGEST_SCENARIO=""
if [[ $SKIP_SUITE != 1 ]]; then
  log "timing the conformance suite against the embedded issuer"
  t0=$(date +%s.%N)
  set +e
  "$REL/tokenspec" run --json "$OUT/suite.json" >"$OUT/suite.txt" 2>&1
  SUITE_RC=$?
  set -e
  t1=$(date +%s.%N)
  SUITE_S=$(calc "$t1 - $t0" 2)
  # The longest single scenario (its mandatory wait dominates it), from the run's JSON report.
  LONGEST_SCENARIO=$(grep -o '"duration_ms": *[0-9]*' "$OUT/suite.json" 2>/dev/null | grep -o '[0-9]*$' | sort -n | tail -1 || true)
  LONGEST_SCENARIO=$(calc "${LONGEST_SCENARIO:-0} / 1000" 2)
  log "suite: ${SUITE_S} s, exit code $SUITE_RC, longest scenario ${LONGEST_SCENARIO} s (output in $OUT/suite.txt)"
fi

# ---- 6. memory --------------------------------------------------------------------------------

# The validity of bench-oauth2-memory in scripts/bench/bench.toml, and the issuer's purge interval.
MEM_VALIDITY=90 PURGE_EVERY=5
issue_memory_tokens() { # issue_memory_tokens TAG : N opaque tokens through tokenspec load
  local rc=0
  "$REL/tokenspec" load --target "${URL[memory]}" --profile "$PROFILE" --fixture bench-oauth2-memory \
    --requests "$MEMORY_TOKENS" --concurrency "$CONNECTIONS" --validate-sample 0 --quiet \
    --json "$OUT/memory-$1.json" >"$OUT/memory-$1.txt" 2>&1 || rc=$?
  [[ $rc == 0 ]] || log "warning: tokenspec load exited $rc (see $OUT/memory-$1.txt)"
}
MEM_BASE="" MEM_FULL="" MEM_PURGED="" MEM_AGAIN="" MEM_PER_TOKEN="" MEM_ISSUE_S=""
if [[ $SKIP_MEMORY != 1 ]]; then
  log "memory: issuing $MEMORY_TOKENS opaque tokens (${MEM_VALIDITY} s validity) with tokenspec load"
  RUST_LOG=warn start memory "$REL/reference-server" --profile "$PROFILE" --bind 127.0.0.1:0
  mpid=${SPID[memory]}
  # Warm the allocator and connection paths with tokens that are not stored (HS256 JWTs).
  BENCH_BODY=${BODY_OF[hs256]} wrk -t1 -c"$CONNECTIONS" -d1s -s "$BENCH/post.lua" "${URL[memory]}/auth/jwt" >/dev/null
  sleep 1
  MEM_BASE=$(rss_kib "$mpid")
  t0=$(date +%s.%N)
  issue_memory_tokens first
  t1=$(date +%s.%N)
  MEM_ISSUE_S=$(calc "$t1 - $t0" 1)
  MEM_FULL=$(rss_kib "$mpid")
  if ge "$MEM_ISSUE_S" "$MEM_VALIDITY - 5"; then
    log "warning: issuing took ${MEM_ISSUE_S} s; the first tokens may have expired before the reading"
  fi
  MEM_PER_TOKEN=$(calc "($MEM_FULL - $MEM_BASE) * 1024 / $MEMORY_TOKENS" 0)
  wait_s=$(calc "$MEM_VALIDITY + $PURGE_EVERY + 2 - $MEM_ISSUE_S" 0)
  log "memory: RSS $MEM_BASE -> $MEM_FULL KiB; waiting ${wait_s} s for expiry and the purge"
  if ((wait_s > 0)); then sleep "$wait_s"; fi
  MEM_PURGED=$(rss_kib "$mpid")
  # The allocator keeps freed pages, so RSS barely drops after the purge; a second batch of the
  # same size shows whether the purged memory is reused (RSS flat) or leaked (RSS doubles).
  log "memory: RSS after purge $MEM_PURGED KiB; issuing a second batch into the freed memory"
  issue_memory_tokens second
  MEM_AGAIN=$(rss_kib "$mpid")
  log "memory: RSS after the second batch $MEM_AGAIN KiB"
  cleanup
  PIDS=()
fi

# ---- 7. table ---------------------------------------------------------------------------------

CEIL=${RPS[ceiling]}
has() { [[ -n ${RPS[$1]:-} ]]; }
x() { has "$2" && calc "${RPS[$1]} / ${RPS[$2]}" 2 || echo "n/a"; }
verdict() { # verdict VALUE MIN -> PASS | MISS
  if [[ $1 == n/a ]]; then echo "n/a"; elif ge "$1" "$2"; then echo PASS; else echo MISS; fi
}

TABLE=$OUT/table.md
{
  echo "| target | req/s (median) | p50 / p99 ms | server CPU | req per server CPU-s | × ceiling | × peer | goal (issue 5) | result |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for name in "${ROWS[@]}"; do
    peer="" peer_x="" goal="" result=""
    case $name in
      rs256)
        peer=mock-rs256
        sign_x=$(calc "${RPS[rs256]} / $RSA_AWS" 2)
        ossl_x=$(calc "${RPS[rs256]} / $RSA_OSSL" 2)
        goal="≥ 0.8 × RSA-2048 sign rate on 2 cores; ≥ 1.5 × mock-RS256"
        result="$(verdict "$sign_x" 0.8) ($sign_x × aws-lc-rs $(thousands "$RSA_AWS")/s on 2 threads; $ossl_x × 2 × openssl per-CPU-s) / $(verdict "$(x rs256 mock-rs256)" 1.5)"
        ;;
      hs256)
        peer=mock-eddsa
        goal="≥ 0.6 × ceiling (0.7 stretch); ≥ 10 × mock-EdDSA"
        result="$(verdict "$(x hs256 ceiling)" 0.6) / $(verdict "$(x hs256 mock-eddsa)" 10)"
        ;;
      opaque)
        peer=node-oauth
        goal="≥ 0.6 × ceiling (0.7 stretch); ≥ 10 × node-oauth2-server"
        result="$(verdict "$(x opaque ceiling)" 0.6) / $(verdict "$(x opaque node-oauth)" 10)"
        ;;
      password-jwt) peer=mock-eddsa ;;
      password-opaque | refresh) peer=node-oauth ;;
    esac
    if [[ -n $peer ]]; then peer_x="$(x "$name" "$peer") × ${LABEL_OF[$peer]#peer }"; fi
    [[ ${ERRS[$name]} == 0 ]] || result="$result; ${ERRS[$name]} errors"
    printf '| %s | %s | %.2f / %.2f | %s%% | %s | %s | %s | %s | %s |\n' \
      "${LABEL_OF[$name]}" "$(thousands "${RPS[$name]}")" "${P50[$name]}" "${P99[$name]}" "${CPU[$name]}" "$(thousands "${EFF[$name]}")" \
      "$(x "$name" ceiling)" "${peer_x:--}" "${goal:--}" "${result:--}"
  done
} >"$TABLE"

{
  echo
  echo "RSA-2048 signing rate, 2 cores: aws-lc-rs $(thousands "$RSA_AWS")/s (runs: $RSA_AWS_1, $RSA_AWS_2), $(thousands "$RSA_CPU") signatures per CPU-second; openssl speed (which counts user CPU time, so this is 2 × its per-CPU-second rate) $(thousands "$RSA_OSSL")/s (runs: $RSA_OSSL_1, $RSA_OSSL_2)"
  echo "RS256 issuance per server CPU-second: $(thousands "${EFF[rs256]}") = $(calc "${EFF[rs256]} / $RSA_CPU" 2) × aws-lc-rs signatures per CPU-second (1.00 would be pure signing)"
  # The same goals per server CPU-second: what each server gets out of the CPU it was given,
  # which other load on the machine (and the load generator's own cost) does not distort.
  e() { [[ -n ${EFF[$1]:-} && -n ${EFF[$2]:-} ]] && calc "${EFF[$1]} / ${EFF[$2]}" 2 || echo "n/a"; }
  echo "Per server CPU-second: HS256 $(e hs256 ceiling) × ceiling, $(e hs256 mock-eddsa) × mock-EdDSA; opaque $(e opaque ceiling) × ceiling, $(e opaque node-oauth) × node-oauth2-server; RS256 $(e rs256 mock-rs256) × mock-RS256; ceiling $(e ceiling mock-eddsa) × mock-EdDSA"
  if [[ -n $SUITE_S ]]; then
    goal=$(calc "$LONGEST_WAIT + 2" 1)
    echo "Suite against the embedded issuer: ${SUITE_S} s wall (exit $SUITE_RC; longest scenario ${LONGEST_SCENARIO} s); goal ≤ longest mandatory wait ${LONGEST_WAIT} s + 2 s = ${goal} s: $(ge "$goal" "$SUITE_S" && echo PASS || echo MISS)"
  fi
  if [[ -n $MEM_FULL ]]; then
    echo "Memory: RSS ${MEM_BASE} KiB before, ${MEM_FULL} KiB after issuing $MEMORY_TOKENS live opaque tokens in ${MEM_ISSUE_S} s ($MEM_PER_TOKEN bytes per live token), ${MEM_PURGED} KiB after they expired and were purged, ${MEM_AGAIN} KiB after issuing $MEMORY_TOKENS more"
  fi
  echo "Load average (1/5/15 min) before the build: $LOAD_BEFORE; after the rounds: $LOAD_AFTER"
  echo "Setup: wrk -t$THREADS -c$CONNECTIONS, ${DURATION} s per run, ${WARMUP} s warm-up, median of $ROUNDS alternating rounds; $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(date -u +%Y-%m-%dT%H:%MZ)"
} >>"$TABLE"

echo
cat "$TABLE"
log "raw runs: $RESULTS; wrk outputs and server logs: $OUT/"
