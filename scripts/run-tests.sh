#!/bin/bash
# Runs prism's test suites and prints each runner's summary, then one line
#   summary: N passed, N failed
# counting suites.  Starts the local AWS emulator for the suites that need
# it and stops it again on any exit (unless it was already running).
#
#   scripts/run-tests.sh [unit|nginx|e2e|packaging|all]     (default: all)
#
# packaging builds the Debian packages (make deb), installs them on this
# machine and purges them again (tests/packaging/deb.t; needs root and
# scripts/deps.sh deb, else it skips).
#
# Environment: PRISM_AWS_PORT (emulator port, default 4566; DynamoDB's is
#   PRISM_DYNAMODB_PORT, default the next one),
#   SIGV4_SUITE (folder(s) in the AWS SigV4 test-suite format).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}
passed=0 failed=0 failures=

port=${PRISM_AWS_PORT:-4566}
export PRISM_AWS_PORT=$port
export PRISM_AWS_ENDPOINT=http://127.0.0.1:$port
ddb_port=${PRISM_DYNAMODB_PORT:-$((port + 1))}
export PRISM_DYNAMODB_PORT=$ddb_port
export PRISM_DYNAMODB_ENDPOINT=http://127.0.0.1:$ddb_port
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIDPRISMTEST AWS_SECRET_ACCESS_KEY=prism-test-secret-key
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_EC2_METADATA_DISABLED=true
export TEST_NGINX_PRISM_MODULE=$root/build/nginx/objs/ngx_http_prism_module.so
export TEST_NGINX_AWS_ENDPOINT=$PRISM_AWS_ENDPOINT
export TEST_NGINX_DYNAMODB_ENDPOINT=$PRISM_DYNAMODB_ENDPOINT
export TEST_NGINX_PRISM_AWS=$root/build/prism-aws
export TEST_NGINX_DATA=$root/tests/data
export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-/usr/sbin/nginx}

# Each suite's output is kept (in $logs) for the digest of failures
# printed just before the summary, where the end of a long run shows it.
logs=$(mktemp -d)
digests=

# suite NAME CMD...: runs one suite (its output and errors to stdout), counts it.
suite() {
    local name=$1 log rc; shift
    echo "=== $name"
    log="$logs/$((passed + failed)).log"
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failures="$failures $name"
        digests="$digests$log "
        echo "$name" >"$log.name"
    fi
}

# digest LOG: why a failed suite failed (scripts/failure-digest.awk), 40 lines at most.
digest() { awk -f scripts/failure-digest.awk "$1" | head -n 40; }

started_aws=
stop_aws() { [ -n "$started_aws" ] && scripts/local-aws.sh stop >/dev/null; started_aws=; }
trap 'stop_aws; rm -rf "$logs"' EXIT
trap 'exit 130' INT TERM
need_aws() {
    if scripts/local-aws.sh status >/dev/null 2>&1; then return 0; fi
    scripts/local-aws.sh start || { failed=$((failed + 1)); failures="$failures local-aws"; return 1; }
    started_aws=1
}

# prove with our Test::Nginx::Socket only when the real one is absent.
prove_nginx() {
    if perl -MTest::Nginx::Socket -e1 2>/dev/null; then prove "$@"; else prove -I t/lib "$@"; fi
}

run_unit() {
    local t
    for t in build/tests/test_*; do
        [ -x "$t" ] || continue
        suite "unit ${t##*/}" "$t"
    done
    # the scripts' own safety (no emulator, nothing installed)
    ls tests/scripts/*.t >/dev/null 2>&1 && suite "prove tests/scripts" prove tests/scripts
    # the documentation's runnable examples (nginx -t, prism-host -t, shell)
    ls tests/docs/*.t >/dev/null 2>&1 && suite "prove tests/docs" prove tests/docs
    if [ -x build/sigv4-suite ]; then
        suite "sigv4 test suite" build/sigv4-suite ${SIGV4_SUITE:-../shared/aws-sigv4-test-suite}
    fi
    if [ -f build/corpus/.complete ]; then
        suite "valgrind: plugins on real photos" scripts/valgrind-corpus.sh
    fi
    if ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
        suite "fuzz seed replay (ASan/UBSan)" make -s fuzz-replay
    fi
}

run_nginx() {
    need_aws || return
    suite "Test::Nginx runner self-test" prove_nginx -r t/runner/
    if ls t/*.t >/dev/null 2>&1; then suite "Test::Nginx module suites" prove_nginx t/; fi
}

# run_faults: the fault scenarios, each on its own isolated stack.  The
# long outages (tests/faults/4[1-9]-*.t: minutes of a dependency down,
# mostly waiting) run beside the others, so the whole takes about as long
# as the longest of them; each is counted as its own suite.
run_faults() {
    local long short log=build/faults-long.log pid rc
    long=$(ls tests/faults/4[1-9]-*.t 2>/dev/null)
    short=$(ls tests/faults/*.t | grep -v -x -F "${long:-/}")
    mkdir -p build
    if [ -n "$long" ]; then prove $long >"$log" 2>&1 & pid=$!; fi
    suite "prove tests/faults" prove $short
    if [ -n "$long" ]; then
        wait "$pid"; rc=$?
        echo "=== prove tests/faults (long outages)"; cat "$log"
        if [ "$rc" -eq 0 ]; then passed=$((passed + 1))
        else
            failed=$((failed + 1)); failures="$failures long-outages"
            cp "$log" "$logs/long-outages.log"; echo long-outages >"$logs/long-outages.log.name"
            digests="$digests$logs/long-outages.log "
        fi
    fi
}

run_packaging() {
    ls tests/packaging/*.t >/dev/null 2>&1 && suite "prove tests/packaging" prove tests/packaging
}

run_e2e() {
    need_aws || return
    local d
    for d in tests/aws tests/e2e tests/bad-inputs; do
        ls $d/*.t >/dev/null 2>&1 && suite "prove $d" prove $d
    done
    # the pipeline again as another account than the emulator's default:
    # nothing may assume the emulator's default account (local-aws.sh PRISM_AWS_ACCOUNT)
    ls tests/e2e/*.t >/dev/null 2>&1 && suite "prove tests/e2e (account 111122223333)" \
        env PRISM_AWS_ACCOUNT=111122223333 prove tests/e2e
    # whole-pipeline fault scenarios, each on its own isolated stack
    ls tests/faults/*.t >/dev/null 2>&1 && run_faults
    # prism-host's semantics, with ASan/UBSan builds of host and driver
    ls tests/host/*.t >/dev/null 2>&1 && suite "prove tests/host (ASan/UBSan)" \
        env PRISM_HOST_BIN="$root/build/prism-host-san" \
            PRISM_RUN_PLUGIN_BIN="$root/build/prism-run-plugin-san" prove tests/host
}

case $what in
    unit)  run_unit ;;
    nginx) run_nginx ;;
    e2e)   run_e2e ;;
    packaging) run_packaging ;;
    all)   run_unit; run_packaging; run_nginx; run_e2e ;;
    *) echo "usage: $0 [unit|nginx|e2e|packaging|all]" >&2; exit 2 ;;
esac
stop_aws
pgrep -f "$root/t/servroot" >/dev/null 2>&1 && { echo "run-tests: nginx left running from t/servroot" >&2; failed=$((failed + 1)); }
for log in $digests; do
    echo "--- why $(cat "$log.name") failed:"
    digest "$log"
done
[ -n "$failures" ] && echo "failed suites:$failures"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
