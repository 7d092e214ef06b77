#!/usr/bin/python3
"""Checks and scores every output of `make bench` (after bench/measure.py).

    quality.py            (run by bench/run.sh from the repository root)

One reference per image and role, made from Pillow's full decode (no
draft mode), turned upright by its EXIF orientation and converted to RGB:
  thumbnail, webp-1024   Lanczos (reducing_gap=None) to the output's
                         exact dimensions;
  webp-full              the decode itself;
  watermark              the decode with the logo composited in floating
                         point at the watermark's geometry.
Each output is opened, decoded whole, turned by its own EXIF orientation
(a viewer would) and compared in RGB: PSNR in dB over all channels.  An
output that is not the expected format, or whose size is not the
expected one (within 1 pixel of rounding), is marked as a problem; one
that is the expected size transposed kept the stored orientation.

Writes build/bench/quality.json: {role: {row: {stem: record}}}.
"""
import json
import math
import os

import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench")
FORMAT = {"thumbnail": "JPEG", "webp-full": "WEBP", "webp-1024": "WEBP", "watermark": "JPEG"}
BOX = {"thumbnail": 256, "webp-1024": 1024}


def fit(dims, box):
    """dims scaled to fit in box x box, never enlarged."""
    s = min(box / dims[0], box / dims[1], 1.0)
    return (max(1, round(dims[0] * s)), max(1, round(dims[1] * s)))


def expected_dims(role, upright):
    """The size an output of role should have for an upright original."""
    return fit(upright, BOX[role]) if role in BOX else tuple(upright)


def close(a, b):
    """True when two sizes differ by at most a pixel each way (rounding)."""
    return abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1


def psnr(a, b):
    """PSNR in dB of two same-size RGB images (99 when identical)."""
    d = np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32)
    mse = float(np.mean(d * d))
    return 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


class References:
    """The references of one image, made on demand and kept by size."""

    def __init__(self, path, logo, wm):
        with Image.open(path) as im:
            self.full = ImageOps.exif_transpose(im).convert("RGB")
        self.logo, self.wm = logo, wm
        self.cache = {}

    def get(self, role, dims):
        """The reference for role at exactly dims."""
        key = (role == "watermark", dims)
        if key not in self.cache:
            base = self.watermarked() if role == "watermark" else self.full
            self.cache[key] = base if base.size == dims else \
                base.resize(dims, Image.LANCZOS, reducing_gap=None)
        return self.cache[key]

    def watermarked(self):
        """The upright original with the logo laid over it south-east."""
        w, h = self.full.size
        lw = max(1, round(self.wm["scale"] * w))
        lh = max(1, round(lw * self.logo.height / self.logo.width))
        lg = np.asarray(self.logo.resize((lw, lh), Image.LANCZOS, reducing_gap=None),
                        dtype=np.float32)
        x, y = w - lw - self.wm["margin"], h - lh - self.wm["margin"]
        out = np.asarray(self.full, dtype=np.float32).copy()
        a = lg[:, :, 3:4] / 255.0 * self.wm["opacity"]
        out[y:y + lh, x:x + lw] = out[y:y + lh, x:x + lw] * (1 - a) + lg[:, :, :3] * a
        return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8))


def score(role, image, path, refs):
    """Checks one output and scores it against its reference."""
    rec = {"problem": None, "orientation": None}
    try:
        with Image.open(path) as im:
            rec["format"] = im.format
            tag = im.getexif().get(0x0112, 1)
            im.load()
            shown = ImageOps.exif_transpose(im).convert("RGB")
    except Exception as e:  # an unreadable output is a result
        rec["problem"] = "unreadable: %s" % e
        return rec
    want = expected_dims(role, image["upright"])
    rec["dims"] = list(shown.size)
    if rec["format"] != FORMAT[role]:
        rec["problem"] = "%s, expected %s" % (rec["format"], FORMAT[role])
    if image["orientation"] != 1:
        rec["orientation"] = ("tag" if tag != 1 else
                              "applied" if close(shown.size, want) else "ignored")
    if not close(shown.size, want) and not close(shown.size, want[::-1]):
        rec["problem"] = "%dx%d, expected %dx%d" % (shown.size + want)
    rec["psnr"] = psnr(shown, refs.get(role, shown.size))
    return rec


def main():
    """Scores every output listed in results.json into quality.json."""
    with open(os.path.join(OUT, "results.json")) as f:
        results = json.load(f)
    with Image.open(results["logo"]) as lg:
        logo = lg.convert("RGBA")
    quality = {role["id"]: {row["name"]: {} for row in role["rows"]}
               for role in results["roles"]}
    for image in results["images"]:
        refs = References(image["path"], logo, results["watermark"])
        for role in results["roles"]:
            for row in role["rows"]:
                path = row["outputs"].get(image["stem"])
                if path:
                    quality[role["id"]][row["name"]][image["stem"]] = \
                        score(role["id"], image, path, refs)
        print("  quality: %s" % image["stem"], flush=True)
    with open(os.path.join(OUT, "quality.json"), "w") as f:
        json.dump(quality, f, indent=1)


if __name__ == "__main__":
    main()
