#!/bin/sh
# The demo's originals besides the corpus JPEGs, made from corpus photos
# at demo time (nothing large is committed), each a kind of upload the
# routes must handle:
#   heic-storm.heic            HEIC (heif-enc: libheif, x265), 1600 px
#   avif-kite.avif             AVIF (avifenc: libavif, aom), 1600 px
#   gif-ladybird-animated.gif  an animated GIF: 4 frames of 0.5 s (ImageMagick)
#   adobergb-garden.jpg        wide gamut: the pixels converted into Adobe
#                              RGB (1998), its profile embedded (jpgicc)
#
#   scripts/demo-inputs.sh CORPUS OUTDIR
#
# OUTDIR also gets a symbolic link to every corpus image (JPEG, PNG), so
# that it is the whole set of the demo's uploads. Exits non-zero when a
# tool fails.
set -eu
src=$1
out=$2
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abs=$(cd "$src" && pwd)
for f in "$abs"/*.jpg "$abs"/*.png; do if [ -e "$f" ]; then ln -sf "$f" "$out/"; fi; done

convert "$src/mate-storm.jpg" -resize 1600x1600 "$tmp/storm.png"
heif-enc -q 70 -o "$out/heic-storm.heic" "$tmp/storm.png" >/dev/null
convert "$src/plasma-kite.jpg" -resize 1600x1600 "$tmp/kite.png"
avifenc -j 1 -s 8 --min 20 --max 30 "$tmp/kite.png" "$out/avif-kite.avif" >/dev/null
convert "$src/mate-ladybird.jpg" -resize 360x360 \
    \( -clone 0 -modulate 100,100,140 \) \( -clone 0 -modulate 100,100,60 \) \
    \( -clone 0 -flop \) -set delay 50 -loop 0 "$out/gif-ladybird-animated.gif"
jpgicc -o/usr/share/color/icc/compatibleWithAdobeRGB1998.icc -e -q92 \
    "$src/mate-garden.jpg" "$out/adobergb-garden.jpg" >"$tmp/jpgicc.log" 2>&1 \
    || { cat "$tmp/jpgicc.log" >&2; exit 1; }
