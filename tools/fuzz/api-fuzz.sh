#!/usr/bin/env bash
# npm run fuzz: fuzzes the query service's REST API and the producer's control API from their own
# OpenAPI documents (/docs-json) with schemathesis, against the running Kafka and Cassandra
# (KAFKA_BROKERS, CASSANDRA_CONTACT_POINTS; `npm run infra:up` starts them). The services run from
# dist/ (npm run build) in a namespace of their own: a fresh, migrated keyspace (dropped afterwards) and
# topics of their own; the consumer writes a few seeded ratings first. Fails on any finding: a 5xx, a status or content type the document does not list, a
# body or header that breaks the documented schema, or an answer slower than FUZZ_MAX_RESPONSE_MS.
#
#   FUZZ_MAX_EXAMPLES (50)  examples per operation     FUZZ_SEED (1)  hypothesis seed (same run, same cases)
#   FUZZ_QUERY_PORT (3900), FUZZ_PRODUCER_PORT (3901), FUZZ_CONSUMER_PORT (3902)  FUZZ_MAX_RESPONSE_MS (2000)
set -euo pipefail
cd "$(dirname "$0")/../.."

max_examples=${FUZZ_MAX_EXAMPLES:-50}
seed=${FUZZ_SEED:-1}
max_ms=${FUZZ_MAX_RESPONSE_MS:-2000}
query_port=${FUZZ_QUERY_PORT:-3900}
producer_port=${FUZZ_PRODUCER_PORT:-3901}
consumer_port=${FUZZ_CONSUMER_PORT:-3902}
venv=.ci/venv
out=test-artifacts/fuzz
mkdir -p "$out"
started=$(date +%s)
log() { echo "[fuzz $(( $(date +%s) - started ))s] $*"; }

# schemathesis, pinned, in a venv of the checkout's own (system pip may refuse installs).
installed=$("$venv/bin/python" -m pip freeze 2>/dev/null || true)
if grep -E '^[a-z].*==' tools/fuzz/requirements.txt | grep -qvixF "$installed"; then
  log "installing $(grep -E '^[a-z].*==' tools/fuzz/requirements.txt | xargs) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r tools/fuzz/requirements.txt
fi

[ -f dist/apps/query/src/main.js ] && [ -f dist/apps/producer/src/main.js ] && [ -f dist/apps/consumer/src/main.js ] || {
  echo "[fuzz] dist/ is missing: run npm run build first (npm run fuzz does)" >&2
  exit 2
}

ns="fuzz_$(date +%s)_$$"
export CASSANDRA_KEYSPACE=$ns KAFKA_TOPIC_RATINGS=$ns.ratings KAFKA_TOPIC_DLQ=$ns.ratings.dlq
export KAFKA_TOPIC_STATS=$ns.stats KAFKA_CONSUMER_GROUP=$ns-consumer KAFKA_QUERY_GROUP_PREFIX=$ns-query
export QUERY_PORT=$query_port PRODUCER_PORT=$producer_port CONSUMER_PORT=$consumer_port BIND_ADDRESS=127.0.0.1 LOG_LEVEL=${LOG_LEVEL:-warn}
# Rate limits off so that the fuzz's own requests are never a 429 (the 429 stays documented); no read
# token; the producer idle and capped low, so that PUT /producer/rate and POST /producer/start cost little.
export QUERY_RATE_LIMIT=0 QUERY_LIVE_RATE_LIMIT=0 PRODUCER_AUTOSTART=false PRODUCER_RATE=5 PRODUCER_MAX_RATE=50
export BATCH_INTERVAL_MS=1000
unset QUERY_READ_TOKEN PRODUCER_CONTROL_TOKEN

pids=()
cleanup() {
  status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "${migrated:-}" ]; then npx tsx tools/fuzz/drop-keyspace.ts || true; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "namespace $ns (Kafka ${KAFKA_BROKERS:-127.0.0.1:9092}, Cassandra ${CASSANDRA_CONTACT_POINTS:-127.0.0.1:9042})"
migrated=1
npm run -s db:migrate 2>"$out/migrate.log" || { cat "$out/migrate.log" >&2; exit 1; }

node dist/apps/query/src/main.js >"$out/query.log" 2>&1 &
pids+=($!)
node dist/apps/producer/src/main.js >"$out/producer.log" 2>&1 &
pids+=($!)
node --max-old-space-size=192 dist/apps/consumer/src/main.js >"$out/consumer.log" 2>&1 &
pids+=($!)

wait_ready() { # name port
  for _ in $(seq 120); do
    curl -sf -o /dev/null "http://127.0.0.1:$2/health/ready" && return 0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "[fuzz] a service exited; see $out/$1.log" >&2; tail -20 "$out/$1.log" >&2; return 1; }; done
    sleep 0.5
  done
  echo "[fuzz] $1 not ready on port $2 within 60 s; see $out/$1.log" >&2
  return 1
}
wait_ready query "$query_port"
wait_ready producer "$producer_port"
wait_ready consumer "$consumer_port"
log "services ready"

# Data behind the documented examples, so that the 200 answers checked against the schema are not all empty.
npx tsx tools/fuzz/seed.ts
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$query_port/api/users/Alice%20Smith/hours/2026-11-21T10:00:00Z/stats" | grep -q '"count":5' && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$query_port/api/users/Alice%20Smith/hours/2026-11-21T10:00:00Z/stats" | grep -q '"count":5' || {
  echo "[fuzz] the seeded ratings did not reach the query service within 30 s; see $out/consumer.log" >&2
  exit 1
}
log "seeded"

failed=0
summary=()
for svc in query:$query_port producer:$producer_port; do
  name=${svc%%:*}
  port=${svc##*:}
  log "schemathesis: $name (http://127.0.0.1:$port/docs-json), $max_examples examples per operation, seed $seed"
  set +e
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/docs-json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-response-time "$max_ms" --request-timeout 10000 \
    --data-generation-method all --hypothesis-max-examples "$max_examples" --hypothesis-seed "$seed" \
    --hypothesis-database none --hypothesis-suppress-health-check all \
    --workers 2 --no-color --junit-xml "$out/$name.junit.xml" 2>&1 | tee "$out/$name.schemathesis.log"
  rc=${PIPESTATUS[0]}
  set -e
  result=$(grep -aE '(passed|failed|errored).* in [0-9.]+s' "$out/$name.schemathesis.log" | tail -1 | tr -d '=' | xargs)
  cases=$(grep -aE '^\s+not_a_server_error' "$out/$name.schemathesis.log" | awk '{print $2}')
  summary+=("$name: $(grep -aE '^Collected API operations' "$out/$name.schemathesis.log" | awk '{print $4}') operations, ${cases:-?} requests, $result, exit $rc")
  [ "$rc" -eq 0 ] || failed=1
done

log "summary (logs in $out/)"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  log "FAILED: findings above"
  exit 1
fi
log "no findings"
