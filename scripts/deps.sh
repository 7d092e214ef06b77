#!/bin/sh
# Installs what building and testing prism needs, and nothing twice:
#   - Debian packages (apt-get), skipped when all are installed: the
#     build's libraries, and the tools the format tests make their
#     fixtures with (tests/data/formats/make-fixtures.sh: ImageMagick,
#     jpgicc, cwebp/img2webp, heif-enc, avifenc, the free ICC profiles);
#   - the local AWS emulators (fauxqs: SNS/SQS/S3, dynalite: DynamoDB)
#     and a Node able to run them, from the npm registry, into
#     .local/emulator from conf/local-aws/package*.json,
#     skipped when the installed lock file matches the committed one.
# Usage: scripts/deps.sh [corpus|demo|bench|deb]
#   corpus adds the tools that build the photo corpus (bench/corpus.sh)
#   deb    adds Debian's packaging tools (make deb, tests/packaging)
#   demo   adds those and the browser that screenshots the gallery
#   bench  adds those and the peer tools make bench compares against
#          (Debian's, and from the npm registry sharp, pinned by
#          bench/node/package-lock.json, into .local/bench-node)
#
# Installing never stops a process it did not start.  Packages such as
# nginx start their service from the postinst; during the install a
# policy-rc.d that exits 101 ("action forbidden", Debian's invoke-rc.d
# policy) keeps them from starting at all.  The script writes it only
# when none exists and removes only its own, at exit.
# Environment: PRISM_POLICY_RC_D, where that file goes (default
#   /usr/sbin/policy-rc.d; tests point it elsewhere).
set -eu
cd "$(dirname "$0")/.."

PACKAGES="gcc make pkg-config perl curl clang
  nginx nginx-dev libpcre2-dev zlib1g-dev libssl-dev
  libcurl4-openssl-dev libjansson-dev libexpat1-dev
  libjpeg62-turbo-dev libwebp-dev libpng-dev libcmocka-dev
  libgif-dev libheif-dev liblcms2-dev libavif-dev libsystemd-dev
  imagemagick liblcms2-utils webp libheif-examples libavif-bin icc-profiles-free
  libtest-base-perl libipc-run-perl valgrind iproute2 procps openssl clang-format-14"
CORPUS_PACKAGES="imagemagick libjpeg-turbo-progs libimage-exiftool-perl"
DEMO_PACKAGES="chromium"
DEB_PACKAGES="debhelper dpkg-dev fakeroot lintian systemd"
BENCH_PACKAGES="libvips-tools python3-pil python3-numpy graphicsmagick webp time wrk"
case "${1:-}" in
    corpus) PACKAGES="$PACKAGES $CORPUS_PACKAGES" ;;
    demo)  PACKAGES="$PACKAGES $CORPUS_PACKAGES $DEMO_PACKAGES" ;;
    bench) PACKAGES="$PACKAGES $CORPUS_PACKAGES $BENCH_PACKAGES" ;;
    deb)   PACKAGES="$PACKAGES $DEB_PACKAGES" ;;
    "")    ;;
    *) echo "usage: $0 [corpus|demo|bench|deb]" >&2; exit 2 ;;
esac

missing=
for p in $PACKAGES; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$st" = "install ok installed" ] || missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    echo "deps: installing Debian packages:$missing"
    [ "$(id -u)" = 0 ] || { echo "deps: need root to install:$missing" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # nginx's postinst would start the service on port 80; prism never
    # needs it, and stopping it afterwards could hit someone else's nginx.
    policy=${PRISM_POLICY_RC_D:-/usr/sbin/policy-rc.d} own_policy=
    # noclobber: created only when absent, atomically (never replaces one)
    if (set -C; printf '#!/bin/sh\n# prism scripts/deps.sh, during one install\nexit 101\n' \
            >"$policy") 2>/dev/null; then
        own_policy=1
        trap 'rm -f "$policy"' EXIT
        trap 'exit 130' INT TERM
        chmod 755 "$policy"
    fi
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    if [ -n "$own_policy" ]; then rm -f "$policy"; trap - EXIT INT TERM; fi
else
    echo "deps: Debian packages present"
fi

emu=.local/emulator
if cmp -s conf/local-aws/package-lock.json "$emu/package-lock.json" \
   && [ -x "$emu/node_modules/.bin/node" ] && [ -d "$emu/node_modules/fauxqs" ] \
   && [ -d "$emu/node_modules/dynalite" ]; then
    echo "deps: local AWS emulators present"
else
    echo "deps: installing the local AWS emulators (npm)"
    mkdir -p "$emu"
    cp conf/local-aws/package.json conf/local-aws/package-lock.json "$emu/"
    (cd "$emu" && npm ci --no-audit --no-fund --loglevel=error)
fi
"$emu/node_modules/.bin/node" --no-warnings -e 'require("node:sqlite")' \
    || { echo "deps: the emulator's Node cannot load node:sqlite" >&2; exit 1; }

# make bench's Node peers (sharp, with its own prebuilt libvips), run by
# the emulator's Node; skipped when the installed lock file matches.
if [ "${1:-}" = bench ]; then
    peers=.local/bench-node
    if cmp -s bench/node/package-lock.json "$peers/package-lock.json" \
       && [ -d "$peers/node_modules/sharp" ]; then
        echo "deps: bench Node peers present"
    else
        echo "deps: installing the bench Node peers (npm)"
        mkdir -p "$peers"
        cp bench/node/package.json bench/node/package-lock.json "$peers/"
        (cd "$peers" && PATH="$(cd ../emulator/node_modules/.bin && pwd):$PATH" \
            npm ci --no-audit --no-fund --loglevel=error)
    fi
    NODE_PATH="$peers/node_modules" "$emu/node_modules/.bin/node" -e 'require("sharp")' \
        || { echo "deps: the bench's Node cannot load sharp" >&2; exit 1; }
fi
