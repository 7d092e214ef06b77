#!/bin/sh
# `make bench`: prism's plugins against the tools people would otherwise
# use (Pillow, sharp, libvips, GraphicsMagick, ImageMagick, cwebp, djpeg; for
# HEIC in and AVIF out heif-convert, avifenc and libvips's libheif),
# side by side in one run, single-threaded, on the photo corpus.
#
#   bench/run.sh          (after `make` and `scripts/deps.sh bench`)
#
# Environment: BENCH_RUNS (default 5: each figure is the median of that
# many interleaved runs, with its range; fewer makes a quick look that the
# report marks as such), BENCH_CPU (default 0: the CPU every tool is
# pinned to).
# Outputs and logs go to build/bench/; the report to docs/benchmarks.md
# and to stdout.  Targets are printed, never enforced: the exit status is
# non-zero only when the bench itself cannot run.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3     # Debian's, the one with Pillow and numpy

for f in build/prism-run-plugin build/plugins/thumbnail.so build/plugins/webp.so \
         build/plugins/watermark.so build/plugins/avif.so; do
    [ -e "$f" ] || { echo "bench: $f missing: run make first" >&2; exit 1; }
done
for t in vipsthumbnail vips gm cwebp djpeg /usr/bin/mogrify /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 \
        || { echo "bench: $t missing: run scripts/deps.sh bench" >&2; exit 1; }
done
[ -d .local/bench-node/node_modules/sharp ] \
    || { echo "bench: sharp missing: run scripts/deps.sh bench" >&2; exit 1; }
$PY -c 'import PIL, numpy' 2>/dev/null \
    || { echo "bench: $PY lacks Pillow or numpy: run scripts/deps.sh bench" >&2; exit 1; }
bench/corpus.sh

# One thread per tool, every tool on the same CPU.
export VIPS_CONCURRENCY=1 OMP_NUM_THREADS=1 MAGICK_THREAD_LIMIT=1
cpu=${BENCH_CPU:-0}
if taskset -c "$cpu" true 2>/dev/null; then
    BENCH_PIN="taskset -c $cpu"
else
    echo "bench: cannot pin to CPU $cpu; running unpinned" >&2
    BENCH_PIN=
fi
export BENCH_PIN

$PY bench/measure.py
$PY bench/quality.py
$PY bench/formats.py >/dev/null
$PY bench/report.py
