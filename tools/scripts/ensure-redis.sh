#!/usr/bin/env bash
# Makes sure a Redis answers PING at $REDIS_URL (default redis://127.0.0.1:6379). When none
# does and the URL is local, installs Debian's redis-server if missing and starts one on
# 127.0.0.1 (no persistence: CI data is throwaway). Used by .ci/run.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#*://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$hostport" ] && port=6379

ping() {
  exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  local reply=''
  read -r -t 2 reply <&3 || true
  exec 3>&- 3<&-
  [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
}

if ping; then echo "redis: answering at $host:$port"; exit 0; fi
case "$host" in 127.0.0.1|localhost|::1) ;; *) echo "redis: nothing answers at $url and it is not local" >&2; exit 1 ;; esac
if ! command -v redis-server >/dev/null; then
  echo "redis: installing Debian's redis-server"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
echo "redis: starting redis-server on 127.0.0.1:$port"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
  --dir /tmp --logfile /tmp/redis-ci-$port.log
for _ in $(seq 1 50); do ping && { echo "redis: up"; exit 0; }; sleep 0.1; done
echo "redis: did not come up; see /tmp/redis-ci-$port.log" >&2
exit 1
