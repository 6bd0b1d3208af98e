#!/usr/bin/env bash
# Compose smoke test: brings docker-compose.yml up for real and checks that it counts.
# Run it as `npm run compose:smoke` (or `npx nx run compose-smoke:smoke`), as root.
#
#  1. engine: ../shared/tools/local-docker.sh up (a private, loopback-only dockerd; started
#     here unless it runs already). When no engine can be started at all, prints one
#     `SKIPPED: <why>` line and exits 0. Nothing else skips.
#  2. tmp/compose-smoke/: docker-compose.yml rendered for host networking (local-docker.sh
#     render) plus a generated override that moves redis and the API to free loopback ports
#     (a Redis may already listen on 6379, the tests use random ports, 5000 may be taken), the
#     ingest's HEALTH_PORT too, and makes them listen on 127.0.0.1 only.
#  3. up -d --build; GET /health; the counts grow, sum(countByEventType) == stats.events;
#     FIFO and runtime image checks.
#  4. restart ingest, then producer, then redis: counting goes on and no count goes backwards
#     (the last one is the AOF).
#  5. always: down -v --rmi local; fails when a container, volume, network or image of the
#     project is left, or when local-docker.sh check finds a bridge/veth; stops dockerd only
#     when step 1 started it.
# Logs of every step stay in tmp/compose-smoke/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
LOCAL_DOCKER=${LOCAL_DOCKER_SH:-$ROOT/../shared/tools/local-docker.sh}
OUT=$ROOT/tmp/compose-smoke
PROJECT=tally-smoke-$$
# Settings compose would read from this shell; the smoke runs the file's defaults.
COMPOSE_VARS=(KEY_PREFIX WINDOW_RETENTION_S RATE COUNT CORRUPT_RATIO SEED API_PORTS
  FLUSH_INTERVAL_MS BATCH_MAX_KEYS MAX_PENDING_KEYS)

started=$(date +%s)
phase_started=$started
elapsed() { echo $(($(date +%s) - started)); }
log() { printf '[compose-smoke %3ss] %s\n' "$(elapsed)" "$*"; }
# LAP = seconds since the previous call: the timings of the summary line.
lap() {
  local now
  now=$(date +%s)
  LAP=$((now - phase_started))
  phase_started=$now
}

rm -rf "$OUT"
mkdir -p "$OUT"

# ------------------------------------------------------------------ 1. engine
[ -f "$LOCAL_DOCKER" ] || {
  echo "SKIPPED: no Docker engine: $LOCAL_DOCKER not found"
  exit 0
}
eval "$(bash "$LOCAL_DOCKER" env)"
engine_ours=0
docker version >/dev/null 2>&1 || engine_ours=1
log "engine: local-docker.sh up ($([ $engine_ours = 1 ] && echo 'starting dockerd' || echo 'dockerd already running'); log $OUT/engine.log)"
if ! bash "$LOCAL_DOCKER" up >"$OUT/engine.log" 2>&1; then
  why=$(grep -E 'ERROR|error|denied|not found' "$OUT/engine.log" | tail -1)
  [ $engine_ours = 0 ] || bash "$LOCAL_DOCKER" down >>"$OUT/engine.log" 2>&1 || true
  echo "SKIPPED: no Docker engine could be started (local-docker.sh up: ${why:-$(tail -1 "$OUT/engine.log")})"
  exit 0
fi
if command -v docker-compose >/dev/null; then COMPOSE=(docker-compose); else COMPOSE=(docker compose); fi
lap
t_engine=$LAP

compose_up=0
cleanup() {
  local rc=$? left
  set +e
  trap - EXIT INT TERM
  if [ $compose_up = 1 ]; then
    if [ $rc != 0 ]; then
      log "FAILED: last log lines of each service (all in $OUT/stack.log):"
      "${COMPOSE[@]}" "${DC_FILES[@]}" logs --no-color --timestamps >"$OUT/stack.log" 2>&1
      "${COMPOSE[@]}" "${DC_FILES[@]}" ps
      "${COMPOSE[@]}" "${DC_FILES[@]}" logs --no-color --tail 15
    fi
    log "down -v --rmi local"
    if ! timeout 300 "${COMPOSE[@]}" "${DC_FILES[@]}" down -v --rmi local --remove-orphans -t 30 \
      >"$OUT/down.log" 2>&1; then
      cat "$OUT/down.log"
      log "FAILED: down -v did not finish cleanly"
      rc=1
    fi
    left=$(
      filter=label=com.docker.compose.project=$PROJECT
      docker ps -aq --filter "$filter" | sed 's/^/container /'
      docker volume ls -q --filter "$filter" | sed 's/^/volume /'
      docker network ls -q --filter "$filter" | sed 's/^/network /'
      docker images --format '{{.Repository}}' | grep -E "^${PROJECT}[-_]" | sed 's/^/image /'
    )
    if [ -n "$left" ]; then
      log "FAILED: left behind by down -v: $(echo "$left" | tr '\n' ' ')"
      rc=1
    fi
  fi
  if ! bash "$LOCAL_DOCKER" check >"$OUT/check.log" 2>&1; then
    cat "$OUT/check.log"
    log "FAILED: local-docker.sh check found a docker bridge, veth or 172.16/12 address"
    rc=1
  fi
  if [ $engine_ours = 1 ]; then
    log "stopping the dockerd this run started"
    bash "$LOCAL_DOCKER" down >>"$OUT/engine.log" 2>&1 || rc=1
  fi
  lap
  local t_down=$LAP
  if [ $rc = 0 ]; then
    log "compose-smoke: PASSED in $(elapsed)s (engine ${t_engine}s, build + up ${t_up:-?}s, checks ${t_checks:-?}s, teardown ${t_down}s)"
  else
    log "compose-smoke: FAILED after $(elapsed)s (logs in $OUT)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ 2. compose files
# Three distinct ports nothing listens on now, for redis, the api and the ingest's HEALTH_PORT
# (process.stdout.write: console.log colours numbers under FORCE_COLOR).
read -r redis_port api_port ingest_health_port < <(node -e '
  const net = require("net");
  const servers = [0, 1, 2].map(() => net.createServer());
  Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
    process.stdout.write(servers.map((s) => s.address().port).join(" ") + "\n");
    servers.forEach((s) => s.close());
  });') || true
[[ "$redis_port$api_port$ingest_health_port" =~ ^[0-9]+$ ]] || {
  log "FAILED: could not pick free ports (got '$redis_port' '$api_port' '$ingest_health_port')"
  exit 1
}
url=http://127.0.0.1:$api_port

env "${COMPOSE_VARS[@]/#/-u}" bash "$LOCAL_DOCKER" render -f "$ROOT/docker-compose.yml" \
  >"$OUT/hostnet.yml" 2>"$OUT/render.log" || {
  cat "$OUT/render.log"
  log "FAILED: local-docker.sh render -f docker-compose.yml"
  exit 1
}
python3 - "$OUT/hostnet.yml" "$redis_port" "$api_port" "$ingest_health_port" \
  >"$OUT/smoke.override.yml" <<'PY'
import sys, yaml
rendered, redis_port, api_port, ingest_health_port = sys.argv[1:]
cfg = yaml.safe_load(open(rendered))
command = cfg["services"]["redis"]["command"]
command = command.split() if isinstance(command, str) else command
redis_url = "redis://redis:%s" % redis_port
override = {"services": {
    # the file's own redis command (AOF settings and all), on another port
    "redis": {
        "command": command + ["--port", redis_port],
        "healthcheck": {"test": ["CMD-SHELL", '[ "$$(redis-cli -p %s ping)" = PONG ]' % redis_port]},
    },
    # the ingest's /health and /metrics listener (HEALTH_PORT, default 9464): loopback only
    "ingest": {"environment": {"REDIS_URL": redis_url, "HEALTH_PORT": ingest_health_port,
                               "HEALTH_HOST": "127.0.0.1"}},
    "api": {"environment": {"REDIS_URL": redis_url, "PORT": api_port, "HOST": "127.0.0.1"}},
}}
print("# generated by tools/compose-smoke/run.sh: free loopback ports for the smoke test")
yaml.safe_dump(override, sys.stdout, default_flow_style=False, sort_keys=False)
PY
DC_FILES=(-p "$PROJECT" -f "$OUT/hostnet.yml" -f "$OUT/smoke.override.yml")
for v in "${COMPOSE_VARS[@]}"; do unset "$v"; done
"${COMPOSE[@]}" "${DC_FILES[@]}" config -q

# ------------------------------------------------------------------ 3. up
log "up -d --build: project $PROJECT, redis on 127.0.0.1:$redis_port, api on $url (log $OUT/up.log)"
compose_up=1
if ! timeout 600 "${COMPOSE[@]}" "${DC_FILES[@]}" up -d --build >"$OUT/up.log" 2>&1; then
  tail -40 "$OUT/up.log"
  log "FAILED: up -d --build"
  exit 1
fi
lap
t_up=$LAP
log "images: $(docker images --format '{{.Repository}} {{.Size}}' | grep -E "^${PROJECT}[-_]" | sed "s/^${PROJECT}[-_]//" | sort | paste -sd, - | sed 's/,/, /g')"

probe() { node "$HERE/probe.mjs" "$@" --url "$url" --state "$OUT/counts.json"; }
probe health --deadline-s 60
probe grow --deadline-s 60 --label "first counts"
probe grow --deadline-s 30 --label "still counting"

# shellcheck disable=SC2016 # $FIFO_PATH is the container's
fifo=$("${COMPOSE[@]}" "${DC_FILES[@]}" exec -T ingest sh -c 'stat -c "%A %U" "$FIFO_PATH"' | tr -d '\r')
[ "$fifo" = "prw-rw-rw- node" ] || {
  log "FAILED: /ipc/events.fifo is \"$fifo\", expected a FIFO prw-rw-rw- owned by node"
  exit 1
}
for svc in producer ingest api; do
  # non-root, and no npm, typescript, nx or jest in the runtime image
  # shellcheck disable=SC2016 # expanded in the container
  "${COMPOSE[@]}" "${DC_FILES[@]}" exec -T "$svc" sh -c \
    'test "$(id -u)" = 1000 && ! command -v npm >/dev/null && for m in typescript nx jest; do test ! -e "node_modules/$m" || exit 1; done' || {
    log "FAILED: $svc runs as root or its image holds npm or dev dependencies"
    exit 1
  }
done
log "FIFO $fifo; producer, ingest and api run as uid 1000 with production dependencies only"

for svc in ingest producer redis; do
  log "restart $svc"
  timeout 120 "${COMPOSE[@]}" "${DC_FILES[@]}" restart -t 30 "$svc" >>"$OUT/restart.log" 2>&1 || {
    cat "$OUT/restart.log"
    log "FAILED: restart $svc"
    exit 1
  }
  probe grow --deadline-s 60 --label "after restart $svc"
done
lap
t_checks=$LAP
