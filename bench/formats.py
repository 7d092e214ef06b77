#!/usr/bin/python3
"""The format rows of `make bench`: HEIC in, JPEG thumbnail out, and
JPEG in, AVIF out, prism against the tools that do the same.

    formats.py            (run by bench/run.sh from the repository root,
                           after measure.py; alone it needs the corpus)

Same rules as bench/measure.py's rows (its spawn() and row classes):
every row pinned to one CPU (BENCH_PIN), one thread, the rows taking
turns within each run; max(BENCH_RUNS, 5) runs, of which the tables
give the median and the spread (min..max) of the wall and CPU time.
The inputs are made untimed: HEICs from corpus photos with heif-enc
(libheif, x265), and the JPEGs are corpus photos as they are.
PSNR: RGB, against the input's own decode (libvips's libheif for the
HEICs, Pillow for the JPEGs) resized with Lanczos to the output's size;
AVIF outputs are decoded with avifdec.

Writes build/bench/formats.json and build/bench/formats.md (a section
bench/report.py appends to docs/benchmarks.md) and prints the latter.
"""
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import measure
from measure import OneProcess, PerFile, in_dir, prism, spawn, stem
from PIL import Image
from quality import psnr

OUT = measure.OUT
REPEAT = max(measure.REPEAT, 5)
HEIC_PHOTOS = ["mate-storm", "mate-dune", "plasma-kite"]    # 2.5, 1.8 and 4.1 MP
AVIF_PHOTOS = ["mate-storm", "mate-dune"]
THUMB = measure.THUMB                                        # fit in 256, JPEG q85
AVIF = {"quality": 60, "speed": 6}
AVIF_Q = ((100 - AVIF["quality"]) * 63 + 50) // 100         # the plugin's quantizer


def make_heics():
    """The HEIC inputs (heif-enc -q 80 of corpus photos), untimed."""
    d = os.path.join(OUT, "formats-src")
    os.makedirs(d, exist_ok=True)
    files = []
    for s in HEIC_PHOTOS:
        path = os.path.join(d, s + ".heic")
        subprocess.run(["heif-enc", "-q", "80", "-o", path,
                        os.path.join(measure.CORPUS, s + ".jpg")],
                       check=True, stdout=subprocess.DEVNULL)
        files.append(path)
    return files


def heif_convert_resize(f, d):
    """heif-convert to a JPEG q95, then ImageMagick's -thumbnail."""
    tmp = os.path.join(d, stem(f) + ".full.jpg")
    return ["sh", "-c", 'heif-convert -q 95 "$1" "$2" >/dev/null && '
            '%s -define jpeg:size=512x512 "$2" -thumbnail 256x256 -quality 85 "$3" && rm "$2"'
            % "/usr/bin/convert", "sh", f, tmp, os.path.join(d, stem(f) + ".jpg")]


def roles():
    """The two roles: title, files, rows (prism first)."""
    vt = "vipsthumbnail"
    jpegs = [os.path.join(measure.CORPUS, s + ".jpg") for s in AVIF_PHOTOS]
    return [
        {"id": "heic-thumbnail", "title": "HEIC → JPEG thumbnail: fit in 256x256, q85",
         "files": make_heics(), "ext": ".jpg",
         "rows": [
             prism("thumbnail", THUMB, "256.jpg"),
             OneProcess(vt + " -s 256 (libheif)",
                        lambda fs, d: [vt, "-s", "256", "-o", d + "/%s.jpg[Q=85,strip]"] + fs,
                        in_dir(".jpg")),
             PerFile("heif-convert + ImageMagick -thumbnail", heif_convert_resize,
                     in_dir(".jpg")),
         ]},
        {"id": "jpeg-avif", "title": "JPEG → AVIF: full size, aom speed 6, quantizer %d "
                                     "(prism quality %d)" % (AVIF_Q, AVIF["quality"]),
         "files": jpegs, "ext": ".avif",
         "rows": [
             prism("avif", AVIF, "image.avif"),
             PerFile("avifenc -s 6 --min/--max %d" % AVIF_Q,
                     lambda f, d: ["avifenc", "-j", "1", "-c", "aom", "-s", "6", "-y", "420",
                                   "--min", str(AVIF_Q), "--max", str(AVIF_Q),
                                   "--minalpha", str(AVIF_Q), "--maxalpha", str(AVIF_Q), f,
                                   os.path.join(d, stem(f) + ".avif")],
                     in_dir(".avif")),
             PerFile("vips heifsave --Q 60 --effort 3",
                     lambda f, d: ["vips", "heifsave", f, os.path.join(d, stem(f) + ".avif"),
                                   "--compression", "av1", "--Q", "60", "--effort", "3",
                                   "--strip"],
                     in_dir(".avif")),
         ]},
    ]


def decode(path):
    """An RGB PIL image of path; AVIF and HEIC through avifdec/vips."""
    if path.endswith((".avif", ".heic")):
        png = path + ".png"
        tool = ["avifdec", path, png] if path.endswith(".avif") else ["vips", "copy", path, png]
        subprocess.run(tool, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with Image.open(png) as im:
            out = im.convert("RGB")
        os.unlink(png)
        return out
    with Image.open(path) as im:
        return im.convert("RGB")


def run_role(role):
    """REPEAT interleaved runs of every row; returns per row its samples,
    the last run's outputs, sizes and PSNR."""
    res = [{"name": r.name, "kind": r.kind, "samples": []} for r in role["rows"]]
    for rep in range(REPEAT):
        for row, r in zip(role["rows"], res):
            outdir = os.path.join(OUT, role["id"], row.slug())
            shutil.rmtree(outdir, ignore_errors=True)
            os.makedirs(outdir)
            s = row.run(role["files"], outdir, os.path.join(OUT, "logs", role["id"] + ".log"))
            r["samples"].append({k: s[k] for k in ("wall", "cpu", "rss_kib")})
            print("  %-14s %-40s run %d/%d: %6.2f s wall, %6.2f s CPU"
                  % (role["id"], row.name, rep + 1, REPEAT, s["wall"], s["cpu"]), flush=True)
            if rep == REPEAT - 1:
                r["outputs"] = {stem(f): row.output(outdir, stem(f)) for f in role["files"]}
    refs = {stem(f): decode(f) for f in role["files"]}
    for r in res:
        r["bytes"], r["psnr"], r["failures"] = 0, [], []
        for s, path in r["outputs"].items():
            if not os.path.isfile(path):
                r["failures"].append(s)
                continue
            out = decode(path)
            ref = refs[s] if refs[s].size == out.size else \
                refs[s].resize(out.size, Image.LANCZOS, reducing_gap=None)
            r["bytes"] += os.path.getsize(path)
            r["psnr"].append(psnr(out, ref))
    return res


def table(role, rows):
    """The markdown table of one role."""
    md = ["### " + role["title"], "",
          "| tool | wall s median (min..max) | CPU s median (min..max) | prism ÷ tool (CPU) "
          "| peak RSS MiB | output KiB | PSNR dB mean |",
          "|---|---|---|---|---|---|---|"]
    cpu0 = statistics.median(s["cpu"] for s in rows[0]["samples"])
    for r in rows:
        w = [s["wall"] for s in r["samples"]]
        c = [s["cpu"] for s in r["samples"]]
        md.append("| %s | %.2f (%.2f..%.2f) | %.2f (%.2f..%.2f) | %s | %.0f | %.0f | %s |" % (
            r["name"], statistics.median(w), min(w), max(w), statistics.median(c), min(c),
            max(c), "—" if r is rows[0] else "%.2f" % (cpu0 / statistics.median(c)),
            max(s["rss_kib"] for s in r["samples"]) / 1024, r["bytes"] / 1024,
            "%.2f" % statistics.mean(r["psnr"]) if r["psnr"] else "—"))
        if r["failures"]:
            md[-1] += " failed on: " + ", ".join(r["failures"])
    return md + [""]


def tool_version(argv):
    """The first line a tool prints about its version."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True)
        return ((p.stdout or p.stderr).strip().splitlines() or ["?"])[0]
    except OSError:
        return "?"


def main():
    """Measures the two roles and writes formats.json and formats.md."""
    os.makedirs(os.path.join(OUT, "logs"), exist_ok=True)
    for t in ("heif-enc", "heif-convert", "avifenc", "avifdec", "vips", "vipsthumbnail"):
        if shutil.which(t) is None:
            sys.exit("formats: %s missing: run scripts/deps.sh bench" % t)
    started = time.time()
    load = open("/proc/loadavg").read().split()[:3]
    plan = roles()
    results = {"repeat": REPEAT, "pin": " ".join(measure.PIN), "load_before": load, "roles": []}
    for role in plan:
        print("bench: %s" % role["title"], flush=True)
        results["roles"].append({"id": role["id"], "rows": run_role(role)})
    results["load_after"] = open("/proc/loadavg").read().split()[:3]
    when = datetime.datetime.fromtimestamp(started, datetime.timezone.utc)
    md = ["## Other formats: HEIC in, AVIF out", "",
          "bench/formats.py, %s UTC, %.0f s, load average %s before and %s after (1, 5, 15 "
          "min; %d CPUs). Median and spread of %d runs, the rows taking turns within each "
          "run, every tool single-threaded and pinned (%s). Inputs: HEICs made untimed "
          "with `heif-enc -q 80` from %s; the JPEGs %s of the corpus. vipsthumbnail and "
          "prism take every file in one process, the others one process per file."
          % (when.strftime("%Y-%m-%d %H:%M"), time.time() - started, " ".join(load),
             " ".join(results["load_after"]), os.cpu_count(), REPEAT,
             results["pin"] or "unpinned", ", ".join(HEIC_PHOTOS), ", ".join(AVIF_PHOTOS)),
          "", "Versions: %s; avifenc %s; %s." % (tool_version(["vips", "--version"]),
                                                 tool_version(["avifenc", "--version"]),
                                                 tool_version(["heif-convert"])), ""]
    for role, res in zip(plan, results["roles"]):
        md += table(role, res["rows"])
    md += ["The AVIF writers do not share a quality scale: prism's quality 60 is AV1 "
           "quantizer %d, given to avifenc as is; vips's `--Q 60` goes through libheif's "
           "own mapping, so compare its bytes and PSNR, not only its time. avifenc copies the "
           "JPEG's Exif block into the AVIF, prism and vips (`--strip`) do not: that, not "
           "the pixels, is most of its extra bytes." % AVIF_Q, ""]
    with open(os.path.join(OUT, "formats.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = "\n".join(md)
    with open(os.path.join(OUT, "formats.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
