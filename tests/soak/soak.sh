#!/usr/bin/env bash
# Soak: one long round over a simulated province on a pool that is never left alone — a worker
# killed (-9) or added every 20 s, the collector restarted every 5 minutes — while the same
# round runs undisturbed in one process (`spotcheck run`) beside it. Every process's RSS is
# sampled every 10 s. Pass: the pool's report equals the undisturbed one, and no pool process
# (each incarnation on its own: a restarted collector or a new worker starts afresh) grows by
# more than 10 % after the first 5 minutes. Not part of ./tests/run: it takes half an hour.
#
#   tests/soak/soak.sh [--minutes 30] [--churn 20] [--collector-every 300] [--settle 300]
#                      [--sample 10] [--sites 200] [--hosts 20] [--links 50]
#                      [--min-workers 1] [--max-workers 5] [--bin DIR] [--keep]
#
# The round's length comes from the workload: `spotcheck-bench --scale --serve` writes a plan
# whose per-address rate spreads the busiest host's requests over --minutes (its sites' names
# differ, so the per-host-name limits cannot pace it). Binaries are taken
# from --bin (default: target/release; build them with
# `cargo build --release -p spotcheck -p spotcheck-bench`). RabbitMQ and Redis are those of
# SPOTCHECK_AMQP_URL / SPOTCHECK_REDIS_URL (default: the local ones), in a namespace of the
# soak's own that is deleted at the end. Exit 0 on pass, 1 on fail, 2 when it could not run.
set -euo pipefail

minutes=30 churn=20 collector_every=300 settle=300 sample=10
sites=200 hosts=20 links=50 min_workers=1 max_workers=5 keep=0
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="${CARGO_TARGET_DIR:-$root/target}/release"
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift ;;
    --churn) churn=$2; shift ;;
    --collector-every) collector_every=$2; shift ;;
    --settle) settle=$2; shift ;;
    --sample) sample=$2; shift ;;
    --sites) sites=$2; shift ;;
    --hosts) hosts=$2; shift ;;
    --links) links=$2; shift ;;
    --min-workers) min_workers=$2; shift ;;
    --max-workers) max_workers=$2; shift ;;
    --bin) bin=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "soak: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for b in spotcheck spotcheck-bench; do
  [[ -x $bin/$b ]] || { echo "soak: no $bin/$b; build it or pass --bin" >&2; exit 2; }
done

work=$(mktemp -d -t spotcheck-soak.XXXXXX)
mkdir -p "$work/logs"
export SPOTCHECK_NAMESPACE="soak-$$"
# The soak's own host limits: its province's hosts are nobody else's.
export SPOTCHECK_GATE_NAMESPACE="soak-$$"
export SPOTCHECK_AMQP_URL="${SPOTCHECK_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export SPOTCHECK_REDIS_URL="${SPOTCHECK_REDIS_URL:-redis://127.0.0.1:6379}"
# Every kill -9 returns the jobs the worker held, and returns count as deliveries: with a kill
# every 20 s a job could reach the default limit of 5 without ever failing. The soak is about
# losing nothing, so the limit is out of its way.
export SPOTCHECK_DELIVERY_LIMIT=1000
export SPOTCHECK_LOG=warn
round_args=(--registry "$work/registry.toml" --plan "$work/plan.toml"
  --window 2020-10-01..2020-12-31 --as-of 2021-01-05 --allow-private)

declare -A pid_of=()     # incarnation name -> pid, while it runs
declare -A started_at=() # incarnation name -> seconds since the start of the round
kills=0 adds=0 restarts=0 next_worker=0 collector_n=0

cleanup() {
  for p in "${pid_of[@]}" ${province:-} ${reference:-}; do
    kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
  redis-cli -u "$SPOTCHECK_REDIS_URL" --scan --pattern "$SPOTCHECK_NAMESPACE:*" 2>/dev/null |
    xargs -r -n 500 redis-cli -u "$SPOTCHECK_REDIS_URL" unlink >/dev/null 2>&1 || true
  # The namespace's queues and its dead-letter exchange, on the default vhost (rabbitmqctl has
  # no command for an exchange: the broker's own call, best effort).
  rabbitmqctl list_queues -q name 2>/dev/null | grep "^$SPOTCHECK_NAMESPACE\\." |
    xargs -r -n 1 rabbitmqctl delete_queue >/dev/null 2>&1 || true
  rabbitmqctl eval "rabbit_exchange:delete(rabbit_misc:r(<<\"/\">>, exchange, \
    <<\"$SPOTCHECK_NAMESPACE.dlx\">>), false, <<\"soak\">>)." >/dev/null 2>&1 || true
  if ((keep)); then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { echo $((SECONDS - t0)); }

start_role() { # name, role and its options
  local name=$1
  shift
  "$bin/spotcheck" "$@" --threads 1 >"$work/logs/$name.log" 2>&1 &
  pid_of[$name]=$!
  started_at[$name]=$(now)
}

# Jobs a worker holds: a homepage's links reach the queue together and are all for one address,
# so a worker needs many in hand for the pool to keep every address busy at its rate.
prefetch=64

workers() { for name in "${!pid_of[@]}"; do [[ $name == worker* ]] && echo "$name"; done; }

# The province, and the registry and plan of its round.
"$bin/spotcheck-bench" --scale --serve --work "$work" --sites "$sites" --scale-hosts "$hosts" \
  --links-per-site "$links" --round-minutes "$minutes" --concurrency 4 >"$work/province.log" 2>&1 &
province=$!
for _ in $(seq 100); do grep -q "serving until interrupted" "$work/province.log" && break; sleep 0.2; done
grep -q "serving until interrupted" "$work/province.log" ||
  { cat "$work/province.log" >&2; exit 2; }
head -1 "$work/province.log"

t0=$SECONDS
"$bin/spotcheck" run "${round_args[@]}" --format json --out "$work/reference" \
  >"$work/logs/reference.log" 2>&1 &
reference=$!
collector_n=1
start_role collector1 collector
for _ in 1 2 3; do next_worker=$((next_worker + 1)); start_role "worker$next_worker" worker --prefetch "$prefetch"; done
sleep 2
id=$("$bin/spotcheck" round start "${round_args[@]}")
echo "round $id on namespace $SPOTCHECK_NAMESPACE; reference run pid $reference"

samples=$work/rss.tsv   # t, incarnation, RSS in KiB
: >"$samples"
last_churn=0 last_restart=0 last_sample=-$sample complete=false
while :; do
  t=$(now)
  if ((t - last_sample >= sample)); then
    last_sample=$t
    for name in "${!pid_of[@]}" reference; do
      p=${pid_of[$name]:-$reference}
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
      [[ -n $rss ]] && printf '%s\t%s\t%s\n' "$t" "$name" "$rss" >>"$samples"
    done
    status=$("$bin/spotcheck" round status "$id" --json 2>/dev/null || echo '{}')
    echo "  t=${t}s: $(jq -r '"\(.jobs.done) of \(.jobs.total) jobs, \(.jobs.dead_lettered) dead"' <<<"$status" 2>/dev/null), $(workers | wc -l) workers"
    [[ $(jq -r .complete <<<"$status" 2>/dev/null) == true ]] && complete=true
  fi
  $complete && break
  if ((t - last_churn >= churn)); then
    last_churn=$t
    mapfile -t live < <(workers)
    n=${#live[@]}
    if ((n >= max_workers || (n > min_workers && RANDOM % 2 == 0))); then
      victim=${live[RANDOM % n]}
      kill -9 "${pid_of[$victim]}"; wait "${pid_of[$victim]}" 2>/dev/null || true
      unset "pid_of[$victim]"
      kills=$((kills + 1))
      echo "  t=${t}s: killed $victim (-9)"
    else
      next_worker=$((next_worker + 1)); start_role "worker$next_worker" worker --prefetch "$prefetch"
      adds=$((adds + 1))
      echo "  t=${t}s: added worker$next_worker"
    fi
  fi
  if ((t - last_restart >= collector_every)); then
    last_restart=$t
    old=collector$collector_n
    # Alternately a stop and a crash: a collector must survive both.
    if ((collector_n % 2)); then kill -TERM "${pid_of[$old]}"; else kill -9 "${pid_of[$old]}"; fi
    wait "${pid_of[$old]}" 2>/dev/null || true
    unset "pid_of[$old]"
    collector_n=$((collector_n + 1))
    start_role "collector$collector_n" collector
    restarts=$((restarts + 1))
    echo "  t=${t}s: restarted the collector (collector$collector_n)"
  fi
  sleep 1
done
round_secs=$(now)
echo "round complete after ${round_secs}s; waiting for the reference run"
wait "$reference" || { echo "soak: the reference run failed; see $work/logs/reference.log" >&2; exit 2; }
reference=
"$bin/spotcheck" report "$id" --format json --out "$work/pool" >/dev/null 2>"$work/logs/report.log"
status=$("$bin/spotcheck" round status "$id" --json)
normal='.round.id = null | .round.parent = null'
if diff <(jq -S "$normal" "$work/reference/report.json") <(jq -S "$normal" "$work/pool/report.json") \
  >"$work/report.diff"; then
  same=true
else
  same=false
fi

# The RSS table: one row per sample, each live process's RSS in MiB.
echo
echo "| t (s) | collector | workers | reference run |"
echo "| ---: | --- | --- | ---: |"
awk -F'\t' '
  { t[$1] = 1; mib = sprintf("%.1f", $3 / 1024)
    if ($2 ~ /^collector/) c[$1] = c[$1] $2 " " mib " "
    else if ($2 ~ /^worker/) w[$1] = w[$1] $2 " " mib " "
    else r[$1] = mib }
  END { n = asorti(t, ts, "@ind_num_asc")
        for (i = 1; i <= n; i++) { k = ts[i]; printf "| %s | %s| %s| %s |\n", k, c[k], w[k], r[k] } }
' "$samples"

# Growth per incarnation: from its first sample after the settling time (and at least a minute
# into its own life) to its largest after that. An incarnation with fewer than two such samples
# is not judged. The reference run is shown, not judged: it holds the whole round in memory.
echo
echo "| process | first judged sample (s) | RSS then (MiB) | max after (MiB) | growth |"
echo "| --- | ---: | ---: | ---: | ---: |"
verdicts=$(awk -F'\t' -v settle="$settle" -v starts="$(for n in "${!started_at[@]}"; do printf '%s=%s ' "$n" "${started_at[$n]}"; done)" '
  BEGIN { split(starts, s, " "); for (i in s) { split(s[i], kv, "="); born[kv[1]] = kv[2] } }
  $2 != "reference" && $1 >= settle && $1 - born[$2] >= 60 {
    if (!($2 in base)) { base[$2] = $3; at[$2] = $1; max[$2] = $3; n[$2] = 1 }
    else { n[$2]++; if ($3 > max[$2]) max[$2] = $3 } }
  END { worst = 0
        for (p in base) if (n[p] >= 2) {
          g = (max[p] - base[p]) * 100 / base[p]; if (g > worst) worst = g
          printf "| %s | %d | %.1f | %.1f | %+.1f %% |\n", p, at[p], base[p] / 1024, max[p] / 1024, g }
        printf "WORST %.1f\n", worst }
' "$samples")
{ grep -v '^WORST' <<<"$verdicts" || true; } | sort -t'|' -k2,2V
worst=$(awk '/^WORST/ {print $2}' <<<"$verdicts")
judged=$(grep -c '^| ' <<<"$verdicts" || true)

echo
echo "round: $(jq -r '"\(.jobs.total) jobs, \(.jobs.done) done, \(.jobs.dead_lettered) dead-lettered"' <<<"$status"), ${round_secs}s"
echo "faults: $kills workers killed (-9), $adds added, $restarts collector restarts"
echo "report vs the undisturbed run: $($same && echo same || echo "DIFFERENT (see $work/report.diff)")"
echo "RSS: largest growth after ${settle}s: ${worst} % over $judged judged incarnations (limit 10 %)"
((judged > 0)) || echo "RSS: no incarnation lived long enough to be judged: run longer"
if $same && ((judged > 0)) && awk -v w="$worst" 'BEGIN { exit !(w <= 10) }'; then
  echo "soak: PASS"
else
  keep=1
  echo "soak: FAIL"
  exit 1
fi
