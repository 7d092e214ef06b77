#!/bin/sh
# Builds the photo corpus used by `make bench` and `make demo` from
# Debian's wallpaper packages (real photographs), plus derivatives made
# with the real tools: a CMYK, a grayscale, a progressive and an
# EXIF-rotated (orientation 6) JPEG, and a PNG.
#
#   bench/corpus.sh [OUTDIR]        (default build/corpus)
#
# Idempotent: an existing complete corpus is left as it is.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build/corpus}
[ -f "$out/.complete" ] && { echo "corpus: $out present ($(ls "$out"/*.* | wc -l) images)"; exit 0; }

work=build/corpus-src
mkdir -p "$work" "$out"
(cd "$work" && chmod 777 . && for p in mate-backgrounds plasma-workspace-wallpapers; do
    ls ${p}_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null
done)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done

# The photographs: MATE's nature set and Plasma's photographic wallpapers.
for f in "$work"/x/usr/share/backgrounds/mate/nature/*.jpg; do
    cp "$f" "$out/mate-$(basename "$f" .jpg | tr 'A-Z' 'a-z').jpg"
done
for name in Autumn BytheWater ColdRipple ColorfulCups EveningGlow FallenLeaf Kite Path; do
    cp "$work/x/usr/share/wallpapers/$name/contents/images/2560x1600.jpg" \
       "$out/plasma-$(echo $name | tr 'A-Z' 'a-z').jpg"
done
cp "$work/x/usr/share/wallpapers/SafeLanding/contents/images/5120x2880.jpg" "$out/plasma-safelanding-14mp.jpg"
cp "$work/x/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg" "$out/mate-elephants-18mp.jpg"

# Derivatives with the real tools (ImageMagick 6, libjpeg-turbo's
# jpegtran, exiftool).
IM=/usr/bin/convert
src=$out/mate-storm.jpg
$IM "$src" -colorspace CMYK -quality 92 "$out/variant-cmyk.jpg"
$IM "$src" -colorspace Gray -quality 92 "$out/variant-gray.jpg"
jpegtran -progressive -copy none -outfile "$out/variant-progressive.jpg" "$out/plasma-path.jpg"
# Stored rotated 90° counter-clockwise and tagged orientation 6 ("rotate
# 90° clockwise to display"), as a camera held upright writes it.
$IM "$out/mate-ladybird.jpg" -rotate 270 -quality 92 "$out/variant-exif6.jpg"
exiftool -q -overwrite_original -n -Orientation=6 "$out/variant-exif6.jpg"
$IM "$out/mate-garden.jpg" "$out/variant-rgb.png"
touch "$out/.complete"
echo "corpus: $out ($(ls "$out"/*.* | wc -l) images)"
