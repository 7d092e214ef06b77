#!/bin/sh
# Starts and stops the local AWS emulator (SNS + SQS + S3) on loopback,
# with the resources of conf/local-aws/resources.json pre-created.
#
#   scripts/local-aws.sh start|stop|status|env
#
# Environment:
#   PRISM_AWS_PORT        port (default 4566)
#   PRISM_AWS_STATE       state dir for pid and log (default .local/aws)
#   PRISM_AWS_PERSIST=1   keep queues, messages and objects across restarts
#                         (in PRISM_AWS_STATE/data)
# "env" prints the variables clients use (endpoint, region, test keys).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
port=${PRISM_AWS_PORT:-4566}
state=${PRISM_AWS_STATE:-$root/.local/aws}
pidfile=$state/emulator.pid
log=$state/emulator.log
emu=$root/.local/emulator

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$port/health" >/dev/null 2>&1; }

start() {
    if running; then echo "local-aws: already running (pid $(cat "$pidfile"), port $port)"; return 0; fi
    [ -x "$emu/node_modules/.bin/node" ] || { echo "local-aws: emulator not installed: run scripts/deps.sh" >&2; exit 1; }
    if healthy; then echo "local-aws: port $port is taken by another process" >&2; exit 1; fi
    mkdir -p "$state"
    set -- "$emu/node_modules/fauxqs/dist/server.js"
    if [ "${PRISM_AWS_PERSIST:-0}" = 1 ]; then
        mkdir -p "$state/data"
        export FAUXQS_PERSISTENCE=true FAUXQS_DATA_DIR="$state/data" FAUXQS_S3_STORAGE_DIR="$state/data/s3"
    fi
    FAUXQS_PORT=$port FAUXQS_INIT=$root/conf/local-aws/resources.json FAUXQS_HOST=localhost \
        FAUXQS_DEFAULT_REGION=us-east-1 \
        nohup "$emu/node_modules/.bin/node" --no-warnings --require "$root/conf/local-aws/loopback.cjs" "$@" \
        >>"$log" 2>&1 </dev/null &
    echo $! > "$pidfile"
    i=0
    until healthy; do
        i=$((i + 1))
        if ! running || [ $i -ge 150 ]; then
            echo "local-aws: emulator did not become healthy; last log lines:" >&2
            tail -20 "$log" >&2; stop; exit 1
        fi
        sleep 0.1
    done
    if command -v ss >/dev/null 2>&1 && ss -Hltn "sport = :$port" | grep -qv '127.0.0.1:'; then
        echo "local-aws: emulator listens beyond loopback; stopping it" >&2; stop; exit 1
    fi
    echo "local-aws: running on 127.0.0.1:$port (pid $(cat "$pidfile"), log $log)"
}

stop() {
    if running; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null || true
        echo "local-aws: stopped (pid $pid)"
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
    start)  start ;;
    stop)   stop ;;
    status) if running && healthy; then echo "local-aws: running on 127.0.0.1:$port"; else echo "local-aws: not running"; exit 1; fi ;;
    env)    cat <<ENV
export PRISM_AWS_ENDPOINT=http://127.0.0.1:$port
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIDLOCALPRISM
export AWS_SECRET_ACCESS_KEY=local-secret-not-checked-by-the-emulator
ENV
            ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
