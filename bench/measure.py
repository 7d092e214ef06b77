#!/usr/bin/python3
"""Runs the rows of `make bench` and records what they cost.

    measure.py            (run by bench/run.sh from the repository root)

Every row (prism or a peer tool) processes the whole corpus for its role,
pinned to one CPU (BENCH_PIN, e.g. "taskset -c 0"), BENCH_RUNS times
(default 5; fewer is allowed for a quick look and the report says so);
the rows take turns within each run, so a burst of load on the machine
spreads over all of them and run i of every row is measured under the
same conditions (the report's ratios pair them).  Per run it records the wall
time, the CPU time (user + system, from wait4()) and the peak RSS
(/usr/bin/time -f %M).  The outputs of the last run stay in
build/bench/<role>/<row>/ for bench/quality.py.

Writes build/bench/results.json.  Fails (exit 1) only when the bench
itself cannot run (a tool missing, the corpus absent); a tool failing on
some image is a result, recorded per image.
"""
import collections
import glob
import json
import mmap
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
CORPUS = os.path.join(ROOT, "build", "corpus")
OUT = os.path.join(ROOT, "build", "bench")
DRIVER = os.path.join(ROOT, "build", "prism-run-plugin")
PLUGINS = os.path.join(ROOT, "build", "plugins")
PY = "/usr/bin/python3"            # Debian's, the one with Pillow
TIME = "/usr/bin/time"             # GNU time, for the peak RSS
IM_MOGRIFY = "/usr/bin/mogrify"    # ImageMagick 6, by full path on purpose
PIN = os.environ.get("BENCH_PIN", "").split()
REPEAT = int(os.environ.get("BENCH_RUNS", os.environ.get("BENCH_REPEAT", "5")))
NODE = os.path.join(ROOT, ".local", "emulator", "node_modules", ".bin", "node")
NODE_MODULES = os.path.join(ROOT, ".local", "bench-node", "node_modules")

THUMB = {"sizes": [256], "mode": "fit", "quality": 85}
WEBP_FULL = {"quality": 80}
WEBP_1024 = {"quality": 80, "max_dimension": 1024}
WATERMARK = {"gravity": "south-east", "margin": 16, "opacity": 0.5, "scale": 0.2, "quality": 85}


Run = collections.namedtuple("Run", "wall cpu rss_kib status stdout stderr")


def spawn(argv, cwd=None, log=None):
    """Runs argv pinned and returns a Run: wall and CPU (user + system)
    seconds, peak RSS in KiB, exit status, stdout and stderr text (stderr
    also appended to log).  The peak RSS comes from /usr/bin/time -f %M:
    a child spawned straight from this Python process would start its
    high-water mark at this process's RSS."""
    rssfile, errfile = os.path.join(OUT, "rss.txt"), os.path.join(OUT, "stderr.txt")
    with open(errfile, "w") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(PIN + [TIME, "-q", "-f", "%M", "-o", rssfile] + argv, cwd=cwd,
                             stdout=subprocess.PIPE, stderr=err)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)   # reaped here, not by Popen
    p.stdout.close()
    with open(rssfile) as f:
        rss = int(f.read().split()[-1])
    with open(errfile) as f:
        errtext = f.read()
    if log:
        with open(log, "a") as f:
            f.write(errtext)
    return Run(wall, ru.ru_utime + ru.ru_stime, rss, p.returncode,
               out.decode(errors="replace"), errtext)


class Row:
    """One tool in one role.  run() does one pass over files into outdir
    and returns a sample dict; output() names the file a stem leads to
    (None for time-only rows)."""
    kind = "peer"
    how = ""

    def __init__(self, name, output=None):
        self.name = name
        self.output = output

    def slug(self):
        """The row's directory and log name: its name in lower-case words."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


class OneProcess(Row):
    """The tool given every file in one process: argv(files, outdir)."""
    how = "one process"

    def __init__(self, name, argv, output, cwd=None, kind="peer"):
        super().__init__(name, output)
        self.argv, self.cwd, self.kind = argv, cwd, kind

    def run(self, files, outdir, log):
        """One pass over files; the sample carries the driver's stdout for prism."""
        r = spawn(self.argv(files, outdir), cwd=self.cwd, log=log)
        return {"wall": r.wall, "cpu": r.cpu, "rss_kib": r.rss_kib, "stdout": r.stdout}


class PerFile(Row):
    """One process per file: argv(file, outdir).  A file whose process
    fails is recorded with what the tool printed on stderr."""
    how = "one process per file"

    def __init__(self, name, argv, output, kind="peer"):
        super().__init__(name, output)
        self.argv, self.kind = argv, kind

    def run(self, files, outdir, log):
        """One pass, a process per file; wall and CPU summed, RSS the
        largest; with cwebp -v, its own encoder time summed (encode_s)."""
        s = {"wall": 0.0, "cpu": 0.0, "rss_kib": 0, "failures": {}}
        for f in files:
            r = spawn(self.argv(f, outdir), log=log)
            s["wall"] += r.wall
            s["cpu"] += r.cpu
            s["rss_kib"] = max(s["rss_kib"], r.rss_kib)
            m = re.search(r"^Time to encode picture: *([\d.]+) *s", r.stderr, re.M)
            if m:
                s["encode_s"] = s.get("encode_s", 0.0) + float(m.group(1))
            if r.status != 0:
                msg = " / ".join(l.strip() for l in r.stderr.splitlines() if l.strip())
                s["failures"][stem(f)] = (msg.replace(ROOT + "/", "")[:200]
                                          or "exit status %d" % r.status)
        return s


class Pillow(Row):
    """bench/pillow_bench.py: one Python process, only its loop timed."""
    how = "one process, loop timed"

    def __init__(self, name, args, ext):
        super().__init__(name, lambda d, s: os.path.join(d, s + ext))
        self.args = args

    def run(self, files, outdir, log):
        """One pass; wall and CPU are the loop's, as the script measured them."""
        argv = [PY, os.path.join(BENCH, "pillow_bench.py")] + self.args + [outdir] + files
        run = spawn(argv, log=log)
        r = json.loads(run.stdout)
        return {"wall": r["seconds"], "cpu": r["cpu"], "rss_kib": run.rss_kib,
                "failures": r["failures"]}


class Sharp(Row):
    """bench/sharp_bench.js: one Node process, only its loop timed, sharp
    on one thread (sharp.concurrency(1), UV_THREADPOOL_SIZE=1)."""
    how = "one process, loop timed"

    def __init__(self, name, args, ext):
        super().__init__(name, lambda d, s: os.path.join(d, s + ext))
        self.args = args

    def run(self, files, outdir, log):
        """One pass; wall and CPU are the loop's, as the script measured them."""
        r, run = sharp_run(self.args + [outdir] + files, log)
        return {"wall": r["seconds"], "cpu": r["cpu"], "rss_kib": run.rss_kib,
                "failures": r["failures"]}


def sharp_run(args, log=None):
    """Runs bench/sharp_bench.js with args; returns its JSON and the Run."""
    os.environ["UV_THREADPOOL_SIZE"] = "1"
    os.environ["NODE_PATH"] = NODE_MODULES
    run = spawn([NODE, os.path.join(BENCH, "sharp_bench.js")] + args, log=log)
    try:
        return json.loads(run.stdout), run
    except ValueError:
        sys.exit("measure: sharp_bench.js failed: %s" % run.stderr.strip()[-400:])


def sharp_startup():
    """Node's start-up with sharp loaded and no work, per process: CPU and
    wall seconds and peak RSS, medians of REPEAT runs (reported beside the
    sharp rows, which do not count it)."""
    runs = [sharp_run(["none", os.path.join(OUT, "sharp-none")])[1] for _ in range(REPEAT)]
    med = lambda v: sorted(v)[len(v) // 2]
    return {"cpu": med([r.cpu for r in runs]), "wall": med([r.wall for r in runs]),
            "rss_kib": med([r.rss_kib for r in runs])}


def stem(path):
    """The file name without directory and extension."""
    return os.path.splitext(os.path.basename(path))[0]


def prism(plugin, params, suffix):
    """The prism row of a role: the driver runs the plugin over all files."""
    so = os.path.join(PLUGINS, plugin + ".so")
    return OneProcess("prism " + plugin,
                      lambda files, d: [DRIVER, "-p", json.dumps(params), "-o", d, so] + files,
                      lambda d, s: os.path.join(d, s, plugin, suffix), kind="prism")


def prism_report(stdout):
    """Per-image process() times (s) and failures from the driver's lines."""
    times, failures = {}, {}
    for line in stdout.splitlines():
        m = re.match(r"(\S+): ok: \d+ output\(s\), ([\d.]+) ms", line)
        if m:
            times[stem(m.group(1))] = float(m.group(2)) / 1000
            continue
        m = re.match(r"(\S+): (reject|retry): (.*)", line)
        if m:
            failures[stem(m.group(1))] = m.group(2) + ": " + m.group(3)
    return times, failures


def in_dir(ext):
    """Outputs named <stem><ext> directly in the row's directory."""
    return lambda outdir, s: os.path.join(outdir, s + ext)


def watermark_logos(images, logo):
    """The faded, resized logos the vips row composites (made untimed, as
    a vips user would keep them), and each image's logo position, both
    from the stored (not EXIF-rotated) size, as vips composite2 sees it."""
    base = Image.open(logo).convert("RGBA")
    d = os.path.join(OUT, "watermark-logos")
    os.makedirs(d, exist_ok=True)
    place = {}
    for im in images:
        w, h = im["stored"]
        lw = max(1, round(WATERMARK["scale"] * w))
        lh = max(1, round(lw * base.height / base.width))
        path = os.path.join(d, "logo-%dx%d.png" % (lw, lh))
        if not os.path.exists(path):
            lg = base.resize((lw, lh), Image.LANCZOS)
            lg.putalpha(lg.getchannel("A").point(lambda a: round(a * WATERMARK["opacity"])))
            lg.save(path)
        m = WATERMARK["margin"]
        place[im["path"]] = (path, w - lw - m, h - lh - m)
    return place


def roles(images, logo, tiny):
    """The benchmark: per role, its title, files and rows (prism first)."""
    files = [im["path"] for im in images]
    jpegs = [im["path"] for im in images if im["format"] == "JPEG"]
    place = watermark_logos(images + [tiny], logo)
    vt = "vipsthumbnail"
    return [
        {"id": "thumbnail", "title": "thumbnail: fit in 256x256, JPEG q85", "files": files,
         "rows": [
             prism("thumbnail", THUMB, "256.jpg"),
             Pillow("Pillow thumbnail()", ["thumbnail", "--size", "256", "--quality", "85"],
                    ".jpg"),
             Sharp("sharp resize() 256", ["thumbnail", "--size", "256", "--quality", "85"],
                   ".jpg"),
             OneProcess(vt + " -s 256",
                        lambda fs, d: [vt, "-s", "256", "-o", d + "/%s.jpg[Q=85,strip]"] + fs,
                        in_dir(".jpg")),
             OneProcess("gm mogrify -thumbnail",
                        lambda fs, d: ["gm", "mogrify", "-limit", "threads", "1",
                                       "-output-directory", d, "-size", "512x512",
                                       "-thumbnail", "256x256", "+profile", "*",
                                       "-quality", "85", "-format",
                                       "jpg"] + [os.path.basename(f) for f in fs],
                        in_dir(".jpg"), cwd=CORPUS),
             OneProcess("ImageMagick mogrify -thumbnail",
                        lambda fs, d: [IM_MOGRIFY, "-path", d, "-define", "jpeg:size=512x512",
                                       "-thumbnail", "256x256", "-sampling-factor", "2x2",
                                       "-quality", "85", "-format", "jpg"] + fs,
                        in_dir(".jpg")),
             PerFile("djpeg -scale 1/8 (decode only)",
                     lambda f, d: ["djpeg", "-scale", "1/8", "-outfile", os.devnull, f],
                     None, kind="bound"),
         ], "only": {"djpeg -scale 1/8 (decode only)": jpegs}},
        {"id": "webp-full", "title": "webp: full size, q80", "files": files,
         "rows": [
             prism("webp", WEBP_FULL, "image.webp"),
             PerFile("cwebp -q 80",
                     lambda f, d: ["cwebp", "-v", "-q", "80", f, "-o",
                                   os.path.join(d, stem(f) + ".webp")],
                     in_dir(".webp")),
             PerFile("cwebp -q 80 -m 3",
                     lambda f, d: ["cwebp", "-quiet", "-q", "80", "-m", "3", f, "-o",
                                   os.path.join(d, stem(f) + ".webp")],
                     in_dir(".webp")),
             Pillow("Pillow save WEBP", ["webp", "--quality", "80"], ".webp"),
             Sharp("sharp webp()", ["webp", "--quality", "80"], ".webp"),
             PerFile("vips webpsave",
                     lambda f, d: ["vips", "webpsave", f, os.path.join(d, stem(f) + ".webp"),
                                   "--Q", "80", "--strip"],
                     in_dir(".webp")),
         ]},
        {"id": "webp-1024", "title": "webp: fit in 1024x1024, q80", "files": files,
         "rows": [
             prism("webp", WEBP_1024, "image.webp"),
             Pillow("Pillow thumbnail() + WEBP",
                    ["webp", "--quality", "80", "--size", "1024"], ".webp"),
             Sharp("sharp resize() 1024 + webp()", ["webp", "--quality", "80", "--size", "1024"],
                   ".webp"),
             OneProcess(vt + " -s 1024",
                        lambda fs, d: [vt, "-s", "1024", "-o", d + "/%s.webp[Q=80,strip]"] + fs,
                        in_dir(".webp")),
         ]},
        {"id": "watermark", "title": "watermark: logo south-east, scale 0.2, opacity 0.5, "
                                     "margin 16, JPEG q85", "files": files,
         "rows": [
             prism("watermark", dict(WATERMARK, logo=logo), "watermarked.jpg"),
             Pillow("Pillow paste()", ["watermark", "--logo", logo, "--quality", "85"] +
                    ["--scale", str(WATERMARK["scale"]), "--opacity", str(WATERMARK["opacity"]),
                     "--margin", str(WATERMARK["margin"])], ".jpg"),
             Sharp("sharp composite()", ["watermark", "--logo", logo, "--quality", "85"] +
                   ["--scale", str(WATERMARK["scale"]), "--opacity", str(WATERMARK["opacity"]),
                    "--margin", str(WATERMARK["margin"])], ".jpg"),
             PerFile("vips composite2",
                     lambda f, d: ["vips", "composite2", f, place[f][0],
                                   os.path.join(d, stem(f) + ".jpg[Q=85,strip]"), "over",
                                   "--x", str(place[f][1]), "--y", str(place[f][2])],
                     in_dir(".jpg")),
         ]},
    ]


def sampling(im):
    """A JPEG's chroma subsampling ("4:2:0", ...), None for other images."""
    if im.format != "JPEG" or im.mode not in ("RGB", "YCbCr"):
        return None
    from PIL import JpegImagePlugin
    return {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}.get(JpegImagePlugin.get_sampling(im), "other")


def corpus():
    """The corpus images with what the report needs from their headers."""
    images = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.*"))):
        with Image.open(path) as im:
            orient = im.getexif().get(0x0112, 1)
            w, h = im.size
            images.append({
                "stem": stem(path), "path": path, "format": im.format,
                "stored": [w, h], "upright": [h, w] if orient in (5, 6, 7, 8) else [w, h],
                "orientation": orient, "bytes": os.path.getsize(path),
                "progressive": bool(im.info.get("progressive") or im.info.get("progression")),
                "mode": im.mode, "sampling": sampling(im),
            })
    if not images:
        sys.exit("measure: no images in %s (run bench/corpus.sh)" % CORPUS)
    return images


def run_role(role):
    """Runs every row of a role REPEAT times, turn about; returns the rows'
    results."""
    results = []
    for row in role["rows"]:
        results.append({"name": row.name, "kind": row.kind, "how": row.how, "samples": [],
                        "files": [stem(f) for f in role.get("only", {}).get(row.name,
                                                                            role["files"])]})
    for rep in range(REPEAT):
        for row, res in zip(role["rows"], results):
            files = role.get("only", {}).get(row.name, role["files"])
            outdir = os.path.join(OUT, role["id"], row.slug())
            shutil.rmtree(outdir, ignore_errors=True)
            os.makedirs(outdir)
            log = os.path.join(OUT, "logs", "%s--%s.log" % (role["id"], row.slug()))
            s = row.run(files, outdir, log)
            res["samples"].append({k: s[k] for k in ("wall", "cpu", "rss_kib", "encode_s")
                                   if k in s})
            print("  %-11s %-34s run %d/%d: %7.2f s wall, %7.2f s CPU, %6.1f MiB"
                  % (role["id"], row.name, rep + 1, REPEAT, s["wall"], s["cpu"],
                     s["rss_kib"] / 1024), flush=True)
            if rep == REPEAT - 1:
                finish(row, res, s, files, outdir)
    return results


def finish(row, res, s, files, outdir):
    """Records the last run's outputs and per-image failures."""
    failures = dict(s.get("failures", {}))
    if row.kind == "prism":
        res["inplugin_per_file"], failures = prism_report(s["stdout"])
    res["outputs"] = {}
    if row.output is None:
        res["failures"] = failures
        return
    for f in files:
        path = row.output(outdir, stem(f))
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            res["outputs"][stem(f)] = path
        else:
            failures.setdefault(stem(f), "no output")
    res["failures"] = failures


def progressive(images, tiny):
    """Per progressive photo, and for the 16x16 JPEG (start-up): prism
    thumbnail 256 and djpeg -scale 1/8, each one process per file,
    max(REPEAT, 5) runs each, taking turns (the report shows medians); a
    failed prism run is counted, not timed."""
    so = os.path.join(PLUGINS, "thumbnail.so")
    outdir = os.path.join(OUT, "progressive")
    os.makedirs(outdir, exist_ok=True)
    subjects = [im for im in images if im["progressive"] and im["format"] == "JPEG"]
    rows = []
    for im in subjects + [dict(tiny, stem="16x16 JPEG (start-up)")]:
        r = {"stem": im["stem"], "megapixels": im["stored"][0] * im["stored"][1] / 1e6,
             "prism": [], "prism_cpu": [], "inplugin": [], "djpeg": [], "djpeg_cpu": [],
             "prism_failed": 0}
        for _ in range(max(REPEAT, 5)):
            run = spawn([DRIVER, "-p", json.dumps(THUMB), "-o", outdir, so, im["path"]])
            times, _ = prism_report(run.stdout)
            if stem(im["path"]) in times:
                r["prism"].append(run.wall)
                r["prism_cpu"].append(run.cpu)
                r["inplugin"].append(times[stem(im["path"])])
            else:
                r["prism_failed"] += 1
            run = spawn(["djpeg", "-scale", "1/8", "-outfile", os.devnull, im["path"]])
            r["djpeg"].append(run.wall)
            r["djpeg_cpu"].append(run.cpu)
        rows.append(r)
    return rows


def coefficients_mib(im):
    """The MiB of DCT coefficients a whole-image decode of this JPEG holds
    (a progressive one must: 2 bytes per coefficient, 64 per 8x8 block,
    chroma blocks as its sampling makes them)."""
    w, h = im["stored"]
    chroma = {"4:4:4": 2.0, "4:2:2": 1.0, "4:2:0": 0.5}.get(im.get("sampling"), 0.0)
    blocks = -(-w // 8) * -(-h // 8) * (1 + chroma)
    return blocks * 64 * 2 / (1 << 20)


def memory(images, role, tiny):
    """Peak RSS of each watermark row on the two largest baseline JPEGs,
    the largest progressive one and a 16x16 JPEG (the process's own
    footprint): medians of REPEAT runs, the rows taking turns."""
    def largest(progressive, n):
        """The n largest JPEGs of that kind."""
        return sorted((im for im in images if im["format"] == "JPEG"
                       and im["progressive"] == progressive),
                      key=lambda im: -im["stored"][0] * im["stored"][1])[:n]
    subjects = [(im["path"], "%s (%.1f MP, %s)"
                 % (im["stem"], im["stored"][0] * im["stored"][1] / 1e6,
                    "progressive" if im["progressive"] else "baseline"), coefficients_mib(im))
                for im in largest(False, 2) + largest(True, 1)]
    subjects.append((tiny["path"], "16x16 JPEG (the process's own footprint)", 0))
    out = []
    for path, label, coef in subjects:
        entry = {"label": label, "coef_mib": coef, "rows": []}
        samples = {row.name: [] for row in role["rows"]}
        for _ in range(REPEAT):              # the rows take turns
            for row in role["rows"]:
                d = os.path.join(OUT, "memory", row.slug())
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d)
                s = row.run([path], d, os.path.join(OUT, "logs", "memory.log"))
                samples[row.name].append(s)
        for row in role["rows"]:
            runs = samples[row.name]
            entry["rows"].append({"name": row.name,
                                  "rss_kib": statistics.median(r["rss_kib"] for r in runs),
                                  "wall": statistics.median(r["wall"] for r in runs)})
        out.append(entry)
    return out


def first_touch():
    """What the first write to a fresh page costs here: 256 MiB of
    anonymous memory (no huge pages asked for) written one byte per page
    twice; the difference is the page faults.  Returns microseconds."""
    size, page = 256 << 20, mmap.PAGESIZE
    m = mmap.mmap(-1, size)
    t0 = time.perf_counter()
    for off in range(0, size, page):
        m[off] = 1
    t1 = time.perf_counter()
    for off in range(0, size, page):
        m[off] = 2
    t2 = time.perf_counter()
    m.close()
    return ((t1 - t0) - (t2 - t1)) / (size // page) * 1e6


def bench_logo():
    """The watermark's logo: the test fixture, or one drawn here (a
    translucent-edged white badge) when the fixture is absent."""
    fixture = os.path.join(ROOT, "tests", "data", "watermark", "logo.png")
    if os.path.isfile(fixture):
        return fixture
    path = os.path.join(OUT, "logo.png")
    im = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    ImageDraw.Draw(im).rounded_rectangle((1, 1, 62, 30), radius=8, fill=(255, 255, 255, 220),
                                         outline=(20, 20, 20, 255), width=2)
    im.save(path)
    return path


def main():
    """Measures everything into build/bench/results.json."""
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "logs"))
    logo = bench_logo()
    for tool in (DRIVER, IM_MOGRIFY, PY, TIME, NODE):
        if not os.access(tool, os.X_OK):
            sys.exit("measure: %s missing" % tool)
    if not os.path.isdir(os.path.join(NODE_MODULES, "sharp")):
        sys.exit("measure: sharp missing in %s: run scripts/deps.sh bench" % NODE_MODULES)
    images = corpus()
    for f in images:                                    # warm the page cache
        with open(f["path"], "rb") as fh:
            fh.read()
    started = time.time()
    load_before = open("/proc/loadavg").read().split()[:3]
    tiny = {"path": os.path.join(OUT, "tiny-16x16.jpg"), "stored": [16, 16]}
    Image.new("RGB", (16, 16), (90, 140, 200)).save(tiny["path"], quality=90)
    plan = roles(images, logo, tiny)
    results = {"repeat": REPEAT, "pin": " ".join(PIN), "images": images, "logo": logo,
               "watermark": WATERMARK, "roles": []}
    for role in plan:
        print("bench: %s" % role["title"], flush=True)
        results["roles"].append({"id": role["id"], "title": role["title"],
                                 "rows": run_role(role)})
    print("bench: progressive photos, one process per file", flush=True)
    results["progressive"] = progressive(images, tiny)
    print("bench: watermark peak RSS on the largest photos", flush=True)
    results["memory"] = memory(images, plan[-1], tiny)
    results["sharp_startup"] = sharp_startup()
    results["first_touch_us"] = first_touch()
    results["load"] = {"before": load_before,
                       "after": open("/proc/loadavg").read().split()[:3]}
    results["started"] = started
    results["elapsed"] = time.time() - started
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
