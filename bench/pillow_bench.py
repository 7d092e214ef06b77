#!/usr/bin/python3
"""The Pillow peer of `make bench`: one Python process over the whole corpus.

    pillow_bench.py thumbnail --size 256 --quality 85 OUTDIR IMAGE...
    pillow_bench.py webp --quality 80 [--size 1024] OUTDIR IMAGE...
    pillow_bench.py watermark --logo PNG --scale 0.2 --opacity 0.5 --margin 16
                    --quality 85 OUTDIR IMAGE...

Writes OUTDIR/<image stem>.jpg (thumbnail, watermark) or .webp, written
the way people write it with Pillow: Image.thumbnail() (which uses JPEG
draft mode, i.e. DCT scaling), save(quality=...), no EXIF orientation
applied.  Only the loop over the images is timed, so the interpreter's
start-up is not counted against Pillow.  Prints one JSON object:
{"seconds": wall, "cpu": process CPU seconds, "failures": {stem: reason}}.
Exits 0 even when some images fail (they are listed); 2 on bad usage.
"""
import argparse
import json
import os
import sys
import time

from PIL import Image


def stem(path):
    """The file name without directory and extension."""
    return os.path.splitext(os.path.basename(path))[0]


def thumbnail(args, path, out):
    """Fits the image in size x size (draft mode for JPEG) and saves out.jpg."""
    with Image.open(path) as im:
        im.thumbnail((args.size, args.size))
        im.save(out + ".jpg", quality=args.quality)


def webp(args, path, out):
    """Saves out.webp, fitted in size x size first when a size is given."""
    with Image.open(path) as im:
        if args.size:
            im.thumbnail((args.size, args.size))
        im.save(out + ".webp", "WEBP", quality=args.quality)


class Watermarker:
    """Lays the logo south-east, its width args.scale of the image's, faded
    to args.opacity; the resized logo is kept per image width."""

    def __init__(self, args):
        self.args = args
        with Image.open(args.logo) as logo:
            self.logo = logo.convert("RGBA")
        self.cache = {}

    def logo_for(self, width):
        """The logo resized and faded for an image width pixels wide."""
        if width not in self.cache:
            lw = max(1, round(self.args.scale * width))
            lh = max(1, round(lw * self.logo.height / self.logo.width))
            logo = self.logo.resize((lw, lh), Image.LANCZOS)
            alpha = logo.getchannel("A").point(lambda a: round(a * self.args.opacity))
            logo.putalpha(alpha)
            self.cache[width] = logo
        return self.cache[width]

    def __call__(self, args, path, out):
        """Lays the logo on the image and saves out.jpg."""
        with Image.open(path) as im:
            im = im.convert("RGB")
            logo = self.logo_for(im.width)
            x = im.width - logo.width - args.margin
            y = im.height - logo.height - args.margin
            im.paste(logo, (x, y), logo)
            im.save(out + ".jpg", quality=args.quality)


def main():
    """Parses the arguments, runs the timed loop, prints the JSON result."""
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["thumbnail", "webp", "watermark"])
    ap.add_argument("outdir")
    ap.add_argument("images", nargs="+")
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--quality", type=int, required=True)
    ap.add_argument("--logo")
    ap.add_argument("--scale", type=float, default=0.2)
    ap.add_argument("--opacity", type=float, default=0.5)
    ap.add_argument("--margin", type=int, default=16)
    args = ap.parse_args()
    if args.role == "thumbnail" and not args.size:
        ap.error("thumbnail needs --size")
    if args.role == "watermark" and not args.logo:
        ap.error("watermark needs --logo")
    work = {"thumbnail": thumbnail, "webp": webp}.get(args.role) or Watermarker(args)
    os.makedirs(args.outdir, exist_ok=True)

    failures = {}
    w0, c0 = time.perf_counter(), time.process_time()
    for path in args.images:
        try:
            work(args, path, os.path.join(args.outdir, stem(path)))
        except Exception as e:  # a peer's failure is a result, not a crash
            failures[stem(path)] = "%s: %s" % (type(e).__name__, e)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    json.dump({"seconds": wall, "cpu": cpu, "failures": failures}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
