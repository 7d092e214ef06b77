#!/bin/bash
# The whole pipeline end to end on the local emulators (`make demo`, after
# make has built everything and bench/corpus.sh has made the photos):
#
#   1. starts its own stack (scripts/stack.sh: emulators, nginx with the
#      module on a free loopback port, prism-host) in build/stack/demo;
#   2. uploads the photos of build/corpus, and a HEIC, an AVIF, an
#      animated GIF and an Adobe RGB JPEG made from them
#      (scripts/demo-inputs.sh, into build/stack/demo-inputs), with curl
#      (raw PUT/POST and multipart forms), waits for every derivative,
#      downloads everything
#      into demo/out/ and writes demo/out/index.html and a summary
#      (scripts/demo-gallery.pl);
#   3. stops the stack and checks that nothing it started is left;
#   4. takes a screenshot of the page with headless Chromium (Debian's
#      chromium, installed when missing and run as root) and checks it
#      shows the photos and that every link of the page resolves
#      (scripts/demo-check.pl).
#
# Environment: PRISM_DEMO_IMAGES (default build/corpus), PRISM_DEMO_OUT
# (default demo/out), PRISM_DEMO_TIMEOUT (seconds for the uploads and
# the derivatives, default 300), PRISM_DEMO_AWS_PORT /
# PRISM_DEMO_DYNAMODB_PORT (default 4612 / 4613).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
# the demo's own stack: nothing of a developer's stack settings applies
unset $(compgen -v PRISM_STACK_)
export PRISM_STACK_DIR=$root/build/stack/demo
export PRISM_STACK_AWS_PORT=${PRISM_DEMO_AWS_PORT:-4612}
export PRISM_STACK_DYNAMODB_PORT=${PRISM_DEMO_DYNAMODB_PORT:-4613}
images=${PRISM_DEMO_IMAGES:-$root/build/corpus}
out=${PRISM_DEMO_OUT:-$root/demo/out}
timeout=${PRISM_DEMO_TIMEOUT:-300}

stack_up=
stop_stack() {
    [ -n "$stack_up" ] || return 0
    stack_up=
    if scripts/stack.sh stop; then
        echo "demo: stack stopped, nothing left running"
    else
        echo "demo: the stack did not stop cleanly" >&2
        return 1
    fi
}
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_stack || rc=1
    rm -f "${stamp:-}"
    exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ensure_chromium: Debian's chromium is there, installed when missing
ensure_chromium() {
    command -v chromium >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || { echo "demo: chromium is not installed (apt-get install chromium)" >&2; return 1; }
    echo "demo: installing Debian's chromium for the gallery screenshot"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
}

# screenshot PAGE PNG: headless Chromium's picture of PAGE (1280x2000)
screenshot() {
    local page=$1 png=$2 profile rc
    profile=$(mktemp -d)
    rm -f "$png"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" --screenshot="$png" --window-size=1280,2000 \
        "file://$page" >"$out/screenshot.log" 2>&1
    rc=$?
    # nothing of that Chromium may stay behind
    local left
    left=$(pgrep -f -- "--user-data-dir=$profile")
    if [ -n "$left" ]; then kill $left 2>/dev/null; sleep 1; fi
    rm -rf "$profile"
    [ $rc = 0 ] && [ -s "$png" ] || { echo "demo: chromium failed ($out/screenshot.log)" >&2; return 1; }
}

ls "$images"/*.jpg >/dev/null 2>&1 || { echo "demo: no photos in $images (bench/corpus.sh makes them)" >&2; exit 1; }
inputs=$root/build/stack/demo-inputs
rm -rf "$inputs"
scripts/demo-inputs.sh "$images" "$inputs" || { echo "demo: scripts/demo-inputs.sh failed" >&2; exit 1; }
stamp=$(mktemp)                           # a page older than this is not this run's
scripts/stack.sh stop >/dev/null 2>&1     # what an interrupted earlier demo left
scripts/stack.sh start || exit 1
stack_up=1
eval "$(scripts/stack.sh env)"
perl scripts/demo-gallery.pl --images "$inputs" --out "$out" --timeout "$timeout"
rc=$?
stop_stack || rc=1

if [ "$out/index.html" -nt "$stamp" ]; then
    if ensure_chromium && screenshot "$out/index.html" "$out/screenshot.png"; then
        echo "demo: screenshot of the gallery: ${out#$root/}/screenshot.png"
        perl scripts/demo-check.pl "$out/index.html" "$out/screenshot.png" | sed 's/^/demo: /'
        [ "${PIPESTATUS[0]}" = 0 ] || rc=1
    else
        rc=1
    fi
fi
[ $rc = 0 ] && echo "demo: open ${out#$root/}/index.html in a browser" || echo "demo: FAILED" >&2
exit $rc
