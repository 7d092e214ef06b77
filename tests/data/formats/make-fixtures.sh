#!/bin/sh
# Makes the fixtures of the format tests (tests/unit/test_formats.c) in
# the folder $1, from the committed images in tests/data/images, with the
# Debian tools that scripts/deps.sh installs: ImageMagick (convert),
# jpgicc (liblcms2-utils), cwebp/img2webp (webp), heif-enc
# (libheif-examples), avifenc (libavif-bin) and the profiles of
# icc-profiles-free. Nothing it makes is committed.
set -eu
out=$1
img=$(cd "$(dirname "$0")/../images" && pwd)
icc=/usr/share/color/icc
cd "$out"

# the "photo": the 150x91 gradient with a circle and a bar, sRGB, and its
# copy with a left-to-right alpha ramp
cp "$img/png-rgb.png" photo.png
cp "$img/png-rgba.png" photo-alpha.png
convert photo.png -quality 95 photo.jpg

# colour: the photo converted into Adobe RGB (1998) with the profile
# embedded; a patch whose Adobe RGB values are 60,180,80 (profile assigned,
# not converted: sRGB 0,181,70 shown)
jpgicc -q95 -o"$icc/compatibleWithAdobeRGB1998.icc" -e photo.jpg adobe.jpg >/dev/null 2>&1
convert -size 64x64 'xc:rgb(60,180,80)' -quality 100 -sampling-factor 1x1 \
    -profile "$icc/compatibleWithAdobeRGB1998.icc" green-adobe.jpg
convert -size 64x64 'xc:rgb(60,180,80)' -profile "$icc/compatibleWithAdobeRGB1998.icc" \
    -define png:exclude-chunks=date,time green-adobe.png
if [ -f p3.icc ]; then
    jpgicc -q95 -op3.icc -e photo.jpg p3.jpg >/dev/null 2>&1
    # the same Display P3 pixels described by an nclx box instead of a
    # profile: primaries 12 (P3, D65), sRGB transfer 13, BT.601 matrix 6
    convert p3.jpg -strip -define png:exclude-chunks=date,time,gAMA,cHRM p3-pixels.png
    avifenc -d 8 -y 444 --min 0 --max 10 --cicp 12/13/6 p3-pixels.png p3-nclx.avif >/dev/null
fi

# PNG kinds
convert photo.png -depth 16 -define png:color-type=2 PNG48:rgb16.png
convert photo-alpha.png -colors 64 -define png:exclude-chunks=date,time PNG8:palette-trns.png
# linear light, described by gAMA 1.0 alone (no iCCP, no sRGB chunk)
convert photo.png -colorspace RGB -define png:exclude-chunks=date,time,cHRM linear-gama.png

# WebP: lossy, lossless with alpha, and animated (three frames, 100/200/300 ms)
cwebp -quiet -q 90 photo.png -o lossy.webp
cwebp -quiet -lossless photo-alpha.png -o lossless-alpha.webp
convert photo.png -crop 64x40+0+0 +repage f1.png
convert photo.png -crop 64x40+60+40 +repage f2.png
convert -size 64x40 xc:none -fill 'rgba(255,0,0,0.5)' -draw 'rectangle 8,8 40,30' f3.png
img2webp -loop 0 -lossless -d 100 f1.png -d 200 f2.png -d 300 f3.png -o anim.webp >/dev/null 2>&1

# GIF: still, and animated with transparency over the previous frame
# (OptimizeTransparency), its coalesced frames as the reference
convert photo.png -colors 64 still.gif
convert -delay 10 f1.png f2.png f1.png -loop 0 -layers OptimizeTransparency +map anim.gif
convert anim.gif -coalesce anim-ref-%d.png

# HEIF and AVIF: still, with alpha, with a 32-pixel thumbnail; AVIF turned
# by irot (90 degrees anti-clockwise) and mirrored by imir
heif-enc -q 90 photo.png -o photo.heic >/dev/null
heif-enc -q 90 photo-alpha.png -o alpha.heic >/dev/null
heif-enc -q 90 -t 96 photo.png -o thumb.heic >/dev/null
avifenc -d 8 -y 444 --min 0 --max 10 photo.png photo.avif >/dev/null
avifenc -d 8 -y 444 --min 0 --max 10 --irot 1 photo.png irot.avif >/dev/null
avifenc -d 8 -y 444 --min 0 --max 10 --imir 1 photo.png imir.avif >/dev/null
avifenc -d 8 -y 444 --min 0 --max 10 photo-alpha.png alpha.avif >/dev/null

# references for pixel comparisons (decoded by ImageMagick)
convert photo.png -rotate -90 irot-ref.png
convert photo.png -flop imir-ref.png
convert green-adobe.png -profile "$icc/sRGB.icc" -strip green-srgb.png
convert still.gif still-ref.png
convert palette-trns.png PNG32:palette-trns-ref.png
mv f1.png anim-webp-ref.png
mv f2.png anim-webp-ref-1.png
rm -f f3.png
