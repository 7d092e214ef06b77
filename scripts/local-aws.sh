#!/bin/sh
# Starts and stops the local AWS emulators on loopback, then creates
# every resource of conf/resources.json with build/prism-provision up,
# the same command that provisions real AWS (so the two cannot drift):
#   fauxqs    SNS + SQS + S3 (and STS GetCallerIdentity)
#   dynalite  DynamoDB
#
#   scripts/local-aws.sh start|stop|status|env
#
# Environment:
#   PRISM_AWS_PORT        fauxqs port (default 4566)
#   PRISM_DYNAMODB_PORT   dynalite port (default 4567)
#   PRISM_AWS_STATE       state dir for pids and logs (default .local/aws)
#   PRISM_AWS_PERSIST=1   keep queues, messages, objects and items across
#                         restarts (in PRISM_AWS_STATE/data); "stop" lets
#                         the emulators finish the event-loop turn under way
#                         (conf/local-aws/graceful-stop.cjs), "start" drops
#                         an object whose write a hard kill cut
#   PRISM_RESOURCES       resource description (default conf/resources.json)
#   PRISM_AWS_ACCOUNT     12 digits: fauxqs serves this account instead of
#                         its fixed default (conf/local-aws/account.mjs),
#                         to prove nothing assumes the emulator's account
# "env" prints the variables clients use (endpoints, region, test keys)
# and what provisioning found (PRISM_ACCOUNT_ID, PRISM_TOPIC_ARN_<NAME>,
# PRISM_QUEUE_URL_<NAME>, PRISM_QUEUE_ARN_<NAME>: "start" writes them to
# PRISM_AWS_STATE/resources.env; no account id is written down anywhere).
# "start" converges the resources even when the emulators already run.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
port=${PRISM_AWS_PORT:-4566}
dport=${PRISM_DYNAMODB_PORT:-4567}
state=${PRISM_AWS_STATE:-$root/.local/aws}
resources=${PRISM_RESOURCES:-$root/conf/resources.json}
emu=$root/.local/emulator
node=$emu/node_modules/.bin/node
fq_pid=$state/emulator.pid
fq_log=$state/emulator.log
ddb_pid=$state/dynamodb.pid
ddb_log=$state/dynamodb.log
region=us-east-1
# fauxqs answers every request as account 000000000000, its fixed default
# (it has no setting for another account; PRISM_AWS_ACCOUNT changes it);
# nothing here relies on it: provisioning asks STS and writes what it
# found to resources.env.
# the emulators check no signature; these keys only make requests well-formed
local_key=AKIDLOCALPRISM
local_secret=local-secret-not-checked-by-the-emulator

# running PIDFILE: the process of PIDFILE is alive
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

fq_healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$port/health" >/dev/null 2>&1; }
ddb_healthy() { curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$dport/" 2>/dev/null; }

# loopback_only PORT: nothing listens on PORT beyond 127.0.0.1
loopback_only() {
    ! command -v ss >/dev/null 2>&1 || ! ss -Hltn "sport = :$1" | grep -qv '127.0.0.1:'
}

# spawn PIDFILE LOG CMD...: starts CMD in the background under the
# emulators' Node with the preloads: loopback only, and a stop that waits
# for the turn of the event loop under way (its writes whole)
spawn() {
    pidfile=$1 logfile=$2; shift 2
    nohup "$node" --no-warnings --require "$root/conf/local-aws/loopback.cjs" \
        --require "$root/conf/local-aws/graceful-stop.cjs" "$@" \
        >>"$logfile" 2>&1 </dev/null &
    echo $! > "$pidfile"
}

# drop_cut_objects: removes the persisted S3 objects whose .meta.json is
# empty (a write cut by a hard kill or a crash: fauxqs writes the data,
# then the meta file, and cannot start with an empty one), with their data.
drop_cut_objects() {
    find "$state/data/s3" -name '*.meta.json' -size 0 2>/dev/null | while read -r meta; do
        rm -f "$meta" "${meta%.meta.json}.data"
        echo "local-aws: dropped an object whose write was cut: ${meta#$state/data/s3/}" >&2
    done
}

start_fauxqs() {
    if running "$fq_pid"; then return 0; fi
    if fq_healthy; then echo "local-aws: port $port is taken by another process" >&2; return 1; fi
    if [ "${PRISM_AWS_PERSIST:-0}" = 1 ]; then
        mkdir -p "$state/data"
        drop_cut_objects
        export FAUXQS_PERSISTENCE=true FAUXQS_DATA_DIR="$state/data" FAUXQS_S3_STORAGE_DIR="$state/data/s3"
    fi
    export FAUXQS_PORT=$port FAUXQS_HOST=localhost FAUXQS_DEFAULT_REGION=$region
    if [ -n "${PRISM_AWS_ACCOUNT:-}" ]; then
        spawn "$fq_pid" "$fq_log" --import "$root/conf/local-aws/account.mjs" \
            "$emu/node_modules/fauxqs/dist/server.js"
    else
        spawn "$fq_pid" "$fq_log" "$emu/node_modules/fauxqs/dist/server.js"
    fi
    started="$started fauxqs"
}

start_dynalite() {
    if running "$ddb_pid"; then return 0; fi
    if ddb_healthy; then echo "local-aws: port $dport is taken by another process" >&2; return 1; fi
    set -- --host 127.0.0.1 --port "$dport" --createTableMs 20 --deleteTableMs 20 --updateTableMs 20
    if [ "${PRISM_AWS_PERSIST:-0}" = 1 ]; then
        mkdir -p "$state/data/dynamodb"
        set -- "$@" --path "$state/data/dynamodb"
    fi
    spawn "$ddb_pid" "$ddb_log" "$emu/node_modules/dynalite/cli.js" "$@"
    started="$started dynalite"
}

# wait_healthy: both answer within 15 s, on loopback only
wait_healthy() {
    i=0
    until fq_healthy && ddb_healthy; do
        i=$((i + 1))
        if ! running "$fq_pid" || ! running "$ddb_pid" || [ $i -ge 150 ]; then
            echo "local-aws: the emulators did not become healthy; last log lines:" >&2
            { tail -n 10 "$fq_log" "$ddb_log" 2>/dev/null || true; } >&2
            return 1
        fi
        sleep 0.1
    done
    if ! loopback_only "$port" || ! loopback_only "$dport"; then
        echo "local-aws: an emulator listens beyond loopback" >&2
        return 1
    fi
}

# provision: build/prism-provision up against the emulators
provision() {
    if [ ! -x build/prism-provision ]; then
        make -s build/prism-provision >&2 || { echo "local-aws: cannot build build/prism-provision" >&2; return 1; }
    fi
    if ! env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=$local_key \
            AWS_SECRET_ACCESS_KEY=$local_secret AWS_EC2_METADATA_DISABLED=true \
            build/prism-provision --endpoint-url "http://127.0.0.1:$port" \
            --dynamodb-endpoint-url "http://127.0.0.1:$dport" --region $region \
            up -f "$resources" --write-env "$state/resources.env" >"$state/provision.log" 2>&1; then
        echo "local-aws: provisioning failed:" >&2
        tail -20 "$state/provision.log" >&2
        return 1
    fi
}

# stop_one NAME PIDFILE
stop_one() {
    if running "$2"; then
        pid=$(cat "$2")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null || true
        echo "local-aws: $1 stopped (pid $pid)"
    fi
    rm -f "$2"
}

start() {
    [ -x "$node" ] && [ -d "$emu/node_modules/fauxqs" ] && [ -d "$emu/node_modules/dynalite" ] \
        || { echo "local-aws: emulators not installed: run scripts/deps.sh" >&2; exit 1; }
    mkdir -p "$state"
    started=
    if ! start_fauxqs || ! start_dynalite || ! wait_healthy || ! provision; then
        # stop only what this call started
        case $started in *fauxqs*) stop_one fauxqs "$fq_pid" ;; esac
        case $started in *dynalite*) stop_one dynalite "$ddb_pid" ;; esac
        exit 1
    fi
    echo "local-aws: SNS/SQS/S3 on 127.0.0.1:$port (pid $(cat "$fq_pid")), DynamoDB on 127.0.0.1:$dport (pid $(cat "$ddb_pid"))${started:+, started:$started}"
    echo "local-aws: resources of ${resources#$root/}: $(tail -1 "$state/provision.log") (report: $state/provision.log)"
}

stop() {
    stop_one fauxqs "$fq_pid"
    stop_one dynalite "$ddb_pid"
}

case "${1:-}" in
    start)  start ;;
    stop)   stop ;;
    status) if running "$fq_pid" && fq_healthy && running "$ddb_pid" && ddb_healthy; then
                echo "local-aws: running on 127.0.0.1:$port (SNS/SQS/S3) and 127.0.0.1:$dport (DynamoDB)"
            else echo "local-aws: not running"; exit 1; fi ;;
    env)    cat <<ENV
export PRISM_AWS_ENDPOINT=http://127.0.0.1:$port
export PRISM_DYNAMODB_ENDPOINT=http://127.0.0.1:$dport
export AWS_REGION=$region
export AWS_ACCESS_KEY_ID=$local_key
export AWS_SECRET_ACCESS_KEY=$local_secret
ENV
            [ ! -f "$state/resources.env" ] || sed 's/^/export /' "$state/resources.env"
            ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
