#!/bin/sh
# Regenerates the small test images in this folder (committed; the tests
# never run this). Needs ImageMagick (convert, identify), libjpeg-turbo's
# cjpeg, libwebp's cwebp and gif2webp, libheif's heif-enc, libavif's avifenc
# and python3 (standard library only, to write the EXIF APP1 segments).
#   Debian: apt-get install imagemagick libjpeg-turbo-progs webp libheif-examples \
#           libavif-bin python3
# Usage: tests/data/images/make-fixtures.sh   (from anywhere)
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Deterministic sources: a diagonal colour gradient with a few shapes, so
# the encoders have edges to code. Every fixture is wider than tall, and
# most sides are not multiples of 8 or 16.
mksrc() { # W H OUT
    convert -size "$1x$2" gradient:'#e04818-#1838e0' -rotate 30 -gravity center \
        -crop "$1x$2+0+0" +repage -fill '#f0f0a0' -draw 'circle 20,20 30,26' \
        -fill '#204020' -draw "rectangle 5,$(($2 - 15)) $(($1 / 2)),$(($2 - 5))" "$3"
}
mksrc 161 97 "$tmp/src161.ppm"
mksrc 64 40 "$tmp/src64.ppm"
mksrc 150 91 "$tmp/src150.png"
# the same picture with a left-to-right alpha ramp
convert "$tmp/src150.png" -alpha set -channel A -fx 'i/w' +channel "$tmp/rgba150.png"

# --- JPEG -------------------------------------------------------------------
cjpeg -quality 80 -sample 2x2 -optimize "$tmp/src161.ppm" > jpeg-baseline-420.jpg
cjpeg -quality 80 -progressive "$tmp/src161.ppm" > jpeg-progressive.jpg
cjpeg -quality 80 -grayscale "$tmp/src161.ppm" > jpeg-gray.jpg
cjpeg -quality 80 -rgb "$tmp/src64.ppm" > jpeg-rgb-adobe.jpg
convert "$tmp/src64.ppm" -colorspace CMYK -quality 80 jpeg-cmyk.jpg
cjpeg -quality 70 "$tmp/src64.ppm" > "$tmp/base64.jpg"

# jpeg-orient-N.jpg: base64.jpg plus an EXIF APP1 whose IFD0 holds Make,
# Orientation=N and XResolution. Odd N: Intel byte order ("II"), APP1
# right after SOI. Even N: Motorola byte order ("MM"), APP1 after JFIF APP0.
for n in 1 2 3 4 5 6 7 8; do
    python3 - "$tmp/base64.jpg" "jpeg-orient-$n.jpg" "$n" <<'EOF'
import struct, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
jpg = open(src, 'rb').read()
bo = '<' if n % 2 else '>'
make = b'prism\0'
# IFD0 at 8: count, 3 entries, next-IFD 0, then the out-of-line values
data_at = 8 + 2 + 3 * 12 + 4
entries = [
    struct.pack(bo + 'HHI', 0x010F, 2, len(make)) + struct.pack(bo + 'I', data_at),
    struct.pack(bo + 'HHI', 0x0112, 3, 1) + struct.pack(bo + 'HH', n, 0),
    struct.pack(bo + 'HHI', 0x011A, 5, 1) + struct.pack(bo + 'I', data_at + len(make)),
]
tiff = (b'II*\0' if bo == '<' else b'MM\0*') + struct.pack(bo + 'I', 8)
tiff += struct.pack(bo + 'H', len(entries)) + b''.join(entries) + struct.pack(bo + 'I', 0)
tiff += make + struct.pack(bo + 'II', 72, 1)
payload = b'Exif\0\0' + tiff
app1 = b'\xff\xe1' + struct.pack('>H', len(payload) + 2) + payload
assert jpg[:4] == b'\xff\xd8\xff\xe0'
at = 2 if n % 2 else 4 + struct.unpack('>H', jpg[4:6])[0]
open(dst, 'wb').write(jpg[:at] + app1 + jpg[at:])
EOF
done

# --- PNG (without date chunks, so that a rerun writes the same bytes) ------
png() { src=$1; shift; convert "$src" -define png:exclude-chunks=date,time "$@"; }
png "$tmp/src150.png" -define png:color-type=2 PNG24:png-rgb.png
png "$tmp/rgba150.png" -define png:color-type=6 PNG32:png-rgba.png
png "$tmp/src150.png" -colorspace Gray -depth 8 -define png:color-type=0 png-gray.png
png "$tmp/src150.png" -colorspace Gray -depth 16 -define png:color-type=0 png-gray16.png
png "$tmp/rgba150.png" -colorspace Gray -depth 8 -define png:color-type=4 png-gray-alpha.png
png "$tmp/src150.png" -colors 16 PNG8:png-palette.png
png "$tmp/src150.png" -interlace PNG -define png:color-type=2 PNG24:png-interlaced.png

# --- WebP -------------------------------------------------------------------
cwebp -quiet -q 70 "$tmp/src150.png" -o webp-lossy.webp
cwebp -quiet -lossless "$tmp/src150.png" -o webp-lossless.webp
cwebp -quiet -q 70 "$tmp/rgba150.png" -o webp-alpha.webp
cwebp -quiet -lossless "$tmp/rgba150.png" -o webp-lossless-alpha.webp

# --- GIF --------------------------------------------------------------------
convert "$tmp/src150.png" -colors 32 gif-still.gif
convert "$tmp/rgba150.png" -channel A -threshold 50% +channel -colors 32 gif-transparent.gif
convert -delay 20 -loop 0 "$tmp/src64.ppm" \( "$tmp/src64.ppm" -negate \) \
    \( "$tmp/src64.ppm" -flop \) gif-animated.gif
gif2webp -quiet gif-animated.gif -o webp-animated.webp

# --- HEIC / AVIF (libheif's heif-enc, libavif's avifenc) ---------------------
# a 64x48 source: heif-enc codes it as a 2x1 grid of 64x64 HEVC tiles, so
# the primary (grid) item's ispe differs from the tiles'
convert -size 64x48 gradient:'#e04818-#1838e0' -fill '#f0f0a0' \
    -draw 'circle 20,20 30,26' "$tmp/src64x48.png"
heif-enc -q 30 -o heic-64x48.heic "$tmp/src64x48.png"
avifenc -s 8 --min 40 --max 50 -y 420 "$tmp/src64x48.png" avif-64x48.avif >/dev/null
avifenc -s 8 --min 40 --max 50 -y 420 --irot 1 "$tmp/src64x48.png" \
    avif-64x48-irot90.avif >/dev/null

identify -format '%f %m %wx%h %[colorspace] %[channels] %z-bit %[interlace]\n' \
    jpeg-*.jpg png-*.png webp-*.webp 'gif-*.gif[0]'
