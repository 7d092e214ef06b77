#!/usr/bin/python3
"""Turns build/bench/{results,quality}.json into docs/benchmarks.md.

    report.py             (run by bench/run.sh from the repository root)

Prints the same Markdown to stdout.  Targets are shown as met or missed
beside the figures; they never change the exit status.
"""
import datetime
import json
import os
import platform
import statistics
import subprocess

import numpy
import PIL

import docsection
from stats import med, paired, spread, verdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench")
MIB = 1024.0


def sh(argv):
    """First line of argv's output (stdout, else stderr), or "?"."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=20, cwd=ROOT)
    except OSError:
        return "?"
    text = (p.stdout.strip() or p.stderr.strip()).splitlines()
    return text[0].strip() if text else "?"


def read(path):
    """A small file's stripped text, or "?" when unreadable."""
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return "?"


def machine(results):
    """The machine and memory setup, as Markdown lines."""
    model = next((l.split(":", 1)[1].strip() for l in read("/proc/cpuinfo").splitlines()
                  if l.startswith("model name")), platform.machine())
    mem = next((l.split()[1] for l in read("/proc/meminfo").splitlines()
                if l.startswith("MemTotal")), "0")
    thp = "/sys/kernel/mm/transparent_hugepage/"
    return [
        "- CPU: %s, %d cores online; every tool pinned with `%s`"
        % (model, os.cpu_count(), results["pin"] or "(unpinned)"),
        "- memory: %.1f GiB, kernel %s" % (int(mem) / MIB / MIB, platform.release()),
        "- memory setup: transparent huge pages `%s`, defrag `%s`; vm.overcommit_memory %s; "
        "page size %d KiB; the first touch of a fresh page measured at %.1f µs this run "
        "(the design notes ~11 µs per 4 KiB page: a worker that reuses its buffers beats "
        "one that allocates per image)"
        % (read(thp + "enabled"), read(thp + "defrag"), read("/proc/sys/vm/overcommit_memory"),
           os.sysconf("SC_PAGE_SIZE") // 1024, results["first_touch_us"]),
        "- load average (1/5/15 min) before: %s, after: %s (other work on the machine "
        "shows as wall time well above CPU time)"
        % (" ".join(results["load"]["before"]), " ".join(results["load"]["after"])),
    ]


def versions():
    """Tool and library versions, as one Markdown line per tool."""
    def pc(module):
        """A library's version as pkg-config reports it."""
        return sh(["pkg-config", "--modversion", module])

    return [
        "- prism: %s (built with %s), libjpeg-turbo %s, libwebp %s, libpng %s"
        % (sh(["git", "describe", "--always", "--dirty"]), sh(["cc", "--version"]),
           pc("libjpeg"), pc("libwebp"), pc("libpng")),
        "- Pillow %s, numpy %s (Python %s, /usr/bin/python3)"
        % (PIL.__version__, numpy.__version__, platform.python_version()),
        "- %s (vipsthumbnail, vips)" % sh(["vips", "--version"]),
        "- %s" % sh(["/usr/bin/mogrify", "-version"]).replace("Version: ", ""),
        "- %s" % sh(["gm", "version"]),
        "- cwebp %s; djpeg: %s" % (sh(["cwebp", "-version"]), sh(["djpeg", "-version"])),
        "- sharp %s (its own prebuilt libvips %s, libwebp %s, mozjpeg), Node %s"
        % sharp_versions(),
    ]


def sharp_versions():
    """sharp's, its libvips's and libwebp's versions, and Node's."""
    node = os.path.join(ROOT, ".local", "emulator", "node_modules", ".bin", "node")
    env = dict(os.environ, NODE_PATH=os.path.join(ROOT, ".local", "bench-node", "node_modules"))
    try:
        p = subprocess.run([node, "-e", "const v=require('sharp').versions;console.log("
                            "[v.sharp,v.vips,v.webp,process.version].join(' '))"],
                           capture_output=True, text=True, timeout=20, env=env)
        v = p.stdout.split()
    except OSError:
        v = []
    return tuple(v) if len(v) == 4 else ("?", "?", "?", "?")


def ratio(a, b):
    """a / b, NaN when b is zero."""
    return a / b if b else float("nan")


class Role:
    """One role's rows with their figures over the common set: the images
    every row that writes outputs wrote without a problem."""

    def __init__(self, role, quality, images):
        self.id, self.title, self.rows = role["id"], role["title"], role["rows"]
        self.q = quality[role["id"]]
        self.images = {im["stem"]: im for im in images}
        writers = [r for r in self.rows if r["kind"] != "bound"]
        self.common = [s for s in writers[0]["files"]
                       if all(self.ok(r, s) for r in writers)]
        self.upright = [s for s in self.common if self.images[s]["orientation"] == 1]
        self.prism = self.rows[0]

    def ok(self, row, stem):
        """True when the row wrote a good output for the image."""
        rec = self.q[row["name"]].get(stem)
        return rec is not None and rec["problem"] is None

    def row(self, prefix):
        """The row whose name starts with prefix."""
        return next(r for r in self.rows if r["name"].startswith(prefix))

    def nbytes(self, row):
        """The bytes of the row's outputs over the common set."""
        return sum(os.path.getsize(row["outputs"][s]) for s in self.common)

    def psnr(self, row):
        """Mean and min PSNR over the common set's upright-stored images."""
        v = [self.q[row["name"]][s]["psnr"] for s in self.upright]
        return (sum(v) / len(v), min(v)) if v else (float("nan"), float("nan"))

    def orientation(self, row):
        """How the row treated the EXIF-rotated photo, with its PSNR."""
        cells = []
        for s, rec in sorted(self.q[row["name"]].items()):
            if rec.get("orientation"):
                cells.append({"applied": "applied", "tag": "kept as EXIF tag",
                              "ignored": "**ignored**"}[rec["orientation"]]
                             + " (%.1f dB)" % rec["psnr"])
        return "; ".join(cells) or "—"

    def table(self):
        """The role's table, one line per row, as Markdown lines."""
        pbytes = self.nbytes(self.prism)
        lines = ["| tool | runs as | images ok | wall s | CPU s | images/s | prism ÷ tool "
                 "(wall) | prism ÷ tool (CPU) | peak RSS MiB | output KiB (vs prism) | "
                 "PSNR dB mean / min | EXIF orientation |",
                 "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in self.rows:
            w, files = med(r, "wall"), r["files"]
            walls = spread([x["wall"] for x in r["samples"]])
            cpus = spread([x["cpu"] for x in r["samples"]])
            if r["kind"] == "bound":
                okn = "%d/%d" % (len(files) - len(r["failures"]), len(files))
                rw = "%.2f ᵃ" % ratio(self.inplugin(files), w)
                rc = out = q = ori = "—"
            elif r is self.prism:
                okn = "%d/%d" % (sum(1 for s in files if self.ok(r, s)), len(files))
                rw = rc = "1"
            else:
                okn = "%d/%d" % (sum(1 for s in files if self.ok(r, s)), len(files))
                rw = spread(paired(self.prism, r, "wall"))
                rc = spread(paired(self.prism, r, "cpu"))
            if r["kind"] != "bound":
                b = self.nbytes(r)
                out = "%s (%+.1f%%)" % (format(round(b / 1024), ","), 100 * (b / pbytes - 1))
                q = "%.2f / %.2f" % self.psnr(r)
                ori = self.orientation(r)
            lines.append("| %s | %s | %s | %s | %s | %.1f | %s | %s | %.1f | %s | %s | %s |"
                         % (r["name"], r["how"], okn, walls, cpus, len(files) / w, rw, rc,
                            max(s["rss_kib"] for s in r["samples"]) / MIB, out, q, ori))
        return lines

    def inplugin(self, stems):
        """prism's time inside the plugin on these images (last run)."""
        return sum(self.prism["inplugin_per_file"].get(s, 0.0) for s in stems)

    def problems(self):
        """Per row, the images it failed on (with the tool's message) or got
        wrong, as note lines; such images are outside the common set."""
        notes = []
        for r in self.rows:
            bad = dict(r["failures"])
            for s, rec in self.q[r["name"]].items():
                if rec["problem"]:
                    bad[s] = rec["problem"]
            if bad:
                notes.append("- %s failed or erred on: %s" % (r["name"], "; ".join(
                    "%s: %s" % kv for kv in sorted(bad.items()))))
        return notes


def median_of(samples):
    """The median of some timings; NaN when every run failed."""
    return statistics.median(samples) if samples else float("nan")


def progressive_table(rows):
    """Per progressive photo, prism thumbnail against djpeg -scale 1/8; the
    last row (the 16x16 JPEG) is each process's start-up."""
    lines = ["| photo | MP | prism thumbnail: process CPU ms (wall) | prism: in plugin ms | "
             "djpeg -scale 1/8: process CPU ms (wall) | prism ÷ djpeg (CPU) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        p, d = median_of(r["prism_cpu"]), median_of(r["djpeg_cpu"])
        failed = " (%d runs failed)" % r["prism_failed"] if r["prism_failed"] else ""
        lines.append("| %s | %.1f | %.1f (%.1f)%s | %.1f | %.1f (%.1f) | %.2f |"
                     % (r["stem"], r["megapixels"], p * 1e3, median_of(r["prism"]) * 1e3, failed,
                        median_of(r["inplugin"]) * 1e3, d * 1e3, median_of(r["djpeg"]) * 1e3,
                        ratio(p, d)))
    photos = rows[:-1]
    total = {k: sum(median_of(r[k]) for r in photos)
             for k in ("prism", "prism_cpu", "inplugin", "djpeg", "djpeg_cpu")}
    lines.insert(-1, "| **all %d** | | %.1f (%.1f) | %.1f | %.1f (%.1f) | %.2f |"
                 % (len(photos), total["prism_cpu"] * 1e3, total["prism"] * 1e3,
                    total["inplugin"] * 1e3, total["djpeg_cpu"] * 1e3, total["djpeg"] * 1e3,
                    ratio(total["prism_cpu"], total["djpeg_cpu"])))
    return lines


def memory_table(entries):
    """Peak RSS and wall per watermark row and image, as Markdown lines."""
    names = [r["name"] for r in entries[0]["rows"]]
    lines = ["| image | " + " | ".join("%s: peak RSS MiB (wall s)" % n for n in names) + " |",
             "|---" * (len(names) + 1) + "|"]
    for e in entries:
        lines.append("| %s | " % e["label"] + " | ".join(
            "%.1f (%.2f)" % (r["rss_kib"] / MIB, r["wall"]) for r in e["rows"]) + " |")
    return lines


def targets(roles, prog, mem):
    """Issue 16's targets and the older ones, each judged on the median of
    the paired per-run CPU ratios (min–max beside it), wall time beside."""
    def judge(role, peer):
        """prism's CPU ratio to a peer row: (median, 'median (min–max)'),
        and the wall ratio's median."""
        c = paired(role.prism, peer, "cpu")
        return statistics.median(c), spread(c), statistics.median(paired(role.prism, peer, "wall"))

    def line(text, role, peer, limit, extra_ok=True, extra=""):
        """One target line: the CPU ratio against limit."""
        m, sp, w = judge(role, peer)
        return ("- %s: %s× CPU (%.2f× wall)%s — %s"
                % (text, sp, w, extra, verdict(m <= limit and extra_ok)))

    out = []
    t = roles["thumbnail"]
    out.append(line("thumbnail ≤ 0.5× Pillow", t, t.row("Pillow"), 0.5))
    peers = [r for r in t.rows if r["kind"] == "peer"]
    quickest = min(peers, key=lambda r: med(r, "cpu"))
    top = max(peers, key=lambda r: t.psnr(r)[0])
    dq = t.psnr(t.prism)[0] - t.psnr(top)[0]
    out.append(line("thumbnail ≤ 0.8× the fastest peer (%s) at PSNR ≥ best peer (%s) − 0.5 dB"
                    % (quickest["name"], top["name"]), t, quickest, 0.8, dq >= -0.5,
                    ", PSNR %+.2f dB" % dq))
    photos = prog[:-1]
    tp = sum(median_of(r["prism_cpu"]) for r in photos)
    td = sum(median_of(r["djpeg_cpu"]) for r in photos)
    wins = sum(1 for r in photos if median_of(r["prism_cpu"]) < median_of(r["djpeg_cpu"]))
    out.append("- thumbnail faster than djpeg -scale 1/8 on progressive photos: %.2f× CPU over "
               "%d photos (sums of medians), one process each, faster on %d of them — %s"
               % (ratio(tp, td), len(photos), wins, verdict(tp < td)))
    w = roles["webp-full"]
    cw = next(r for r in w.rows if r["name"] == "cwebp -q 80")
    sz = w.nbytes(w.prism) / w.nbytes(cw) - 1
    dq = w.psnr(w.prism)[0] - w.psnr(cw)[0]
    out.append(line("webp full size ≤ 0.8× cwebp at size ±1 % and PSNR ±0.1 dB", w, cw, 0.8,
                    abs(sz) <= 0.01 and abs(dq) <= 0.1,
                    ", size %+.2f %%, PSNR %+.2f dB" % (100 * sz, dq)))
    share = [x["encode_s"] / x["cpu"] for x in cw["samples"] if x.get("encode_s") and x["cpu"]]
    if share:
        out.append("- where cwebp's time goes: its encoder (WebPEncode, `cwebp -v`'s \"Time to "
                   "encode picture\") is %s %% of its CPU time; the JPEG reading and colour "
                   "import around it, the only part another front end to the same libwebp with "
                   "the same settings can save, is the rest"
                   % spread([100 * x for x in share], "%.1f"))
    m3 = w.row("cwebp -q 80 -m 3")
    m_, sp, wr = judge(w, m3)
    out.append("- webp full size against cwebp -m 3, for reference (a cheaper method is no "
               "shortcut here: it costs about what method 4 does): %s× CPU (%.2f× wall)"
               % (sp, wr))
    k = roles["webp-1024"]
    pk = k.row("Pillow")
    sz = k.nbytes(k.prism) / k.nbytes(pk) - 1
    dq = k.psnr(k.prism)[0] - k.psnr(pk)[0]
    out.append(line("webp ≤1024 ≤ 0.67× Pillow", k, pk, 0.67, True,
                    ", size %+.2f %%, PSNR %+.2f dB" % (100 * sz, dq)))
    m = roles["watermark"]
    out.append(line("watermark ≤ 0.5× Pillow", m, m.row("Pillow"), 0.5))
    base = [e for e in mem if "baseline" in e["label"]]
    prog_ = [e for e in mem if "progressive" in e["label"]]
    for e in base:
        rss = e["rows"][0]["rss_kib"] / MIB
        out.append("- watermark peak RSS ≤ 32 MiB on a baseline photo, %s: %.1f MiB — %s"
                   % (e["label"], rss, verdict(rss <= 32)))
    for e in prog_:
        rss, limit = e["rows"][0]["rss_kib"] / MIB, e["coef_mib"] + 16
        out.append("- watermark peak RSS ≤ the coefficient buffer (%.1f MiB) + 16 MiB on a "
                   "progressive photo, %s: %.1f MiB — %s"
                   % (e["coef_mib"], e["label"], rss, verdict(rss <= limit)))
    for rid in ("thumbnail", "webp-full", "webp-1024", "watermark"):
        r = roles[rid]
        sh_ = [x for x in r.rows if x["name"].startswith("sharp")]
        if sh_:
            m_, sp, wr = judge(r, sh_[0])
            out.append("- %s against sharp (%s), for reference: %s× CPU (%.2f× wall)"
                       % (rid, sh_[0]["name"], sp, wr))
    return out


def corpus_lines(images):
    """The corpus as found: counts by kind and the range of sizes, then one
    line per image, as Markdown lines (nothing here is written by hand)."""
    mp = [im["stored"][0] * im["stored"][1] / 1e6 for im in images]
    kinds = {}
    for im in images:
        k = im["format"] + (" progressive" if im["progressive"] else "")
        k += " " + (im.get("sampling") or im.get("mode", "?"))
        if im["orientation"] != 1:
            k += ", EXIF orientation %d" % im["orientation"]
        kinds[k] = kinds.get(k, 0) + 1
    lines = ["%d images (bench/corpus.sh: Debian's wallpaper packages and derivatives made "
             "with ImageMagick, jpegtran and exiftool), %.1f to %.1f MP (median %.1f), "
             "%.1f MB in all:" % (len(images), min(mp), max(mp), statistics.median(mp),
                                  sum(im["bytes"] for im in images) / 1e6), ""]
    lines += ["- %d × %s" % (n, k) for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])]
    lines += ["", "| image | stored size | MP | kind | KiB |", "|---|---|---|---|---|"]
    for im, m in zip(images, mp):
        lines.append("| %s | %dx%d | %.1f | %s%s %s | %s |"
                     % (im["stem"], im["stored"][0], im["stored"][1], m, im["format"],
                        " progressive" if im["progressive"] else "",
                        im.get("sampling") or im.get("mode", "?"),
                        format(round(im["bytes"] / 1024), ",")))
    return lines


def main():
    """Writes docs/benchmarks.md and prints it."""
    with open(os.path.join(OUT, "results.json")) as f:
        results = json.load(f)
    with open(os.path.join(OUT, "quality.json")) as f:
        quality = json.load(f)
    roles = {r["id"]: Role(r, quality, results["images"]) for r in results["roles"]}
    thumb = roles["thumbnail"]
    bound = thumb.row("djpeg")
    n = len(results["images"])
    when = datetime.datetime.fromtimestamp(results["started"], datetime.timezone.utc)

    runs = results["repeat"]
    md = ["# Benchmarks", "",
          "Generated by `make bench` (bench/run.sh) on %s UTC in %.0f s. Every figure is "
          "the median of %d interleaved runs with its range (min–max) in brackets; the rows of a table "
          "take turns within each run, and a ratio is the median of the ratios of runs "
          "taken in the same turn. Never a best-of."
          % (when.strftime("%Y-%m-%d %H:%M"), results["elapsed"], runs), ""]
    if runs < 5:
        md += ["**A quick look, not a measurement: %d runs (BENCH_RUNS); the figures the "
               "project quotes are medians of at least 5.**" % runs, ""]
    md += ["## Machine", ""] + machine(results) + ["", "## Versions", ""] + versions() + [
          "", "## Corpus", ""] + corpus_lines(results["images"]) + [""] + [
          "sharp's start-up (Node, loading sharp, no image), which its rows do not count: "
          "%.0f ms CPU, %.0f ms wall, %.1f MiB peak RSS (medians)."
          % (results["sharp_startup"]["cpu"] * 1e3, results["sharp_startup"]["wall"] * 1e3,
             results["sharp_startup"]["rss_kib"] / MIB), "",
          "## How to read the tables", "",
          "- **wall s**: the whole corpus, one thread, pinned to one CPU (`VIPS_CONCURRENCY=1 "
          "OMP_NUM_THREADS=1 MAGICK_THREAD_LIMIT=1`, `gm -limit threads 1`). prism runs as "
          "`build/prism-run-plugin`: one process loads the plugin once and takes every image "
          "in turn, reading the file and writing the output included. Pillow runs in one "
          "Python process and only its loop is timed (interpreter start-up not counted). "
          "vipsthumbnail and mogrify get every file in one process. cwebp, djpeg, "
          "`vips webpsave` and `vips composite2` take one file per process, so their "
          "start-up is counted once per image.",
          "- **prism ÷ tool**: prism's time as a fraction of the tool's: 0.50 means prism "
          "takes half the time. CPU is user + system time, which other load on the machine "
          "barely moves; wall is what a user waits for.",
          "- **peak RSS**: the largest resident set of any process of the row "
          "(`/usr/bin/time -f %M`); it includes the process's own footprint (Pillow's "
          "counts the Python interpreter; see the watermark memory table's 16x16 row).",
          "- **output KiB** and **PSNR**: over the images every writing row of the table "
          "got right, so all rows are compared on the same set. The vips rows strip metadata "
          "(`[strip]`, `--strip`) and `gm mogrify` gets `+profile '*'`, as prism, Pillow, "
          "cwebp and ImageMagick's `-thumbnail` write none. Every JPEG writer uses 4:2:0 "
          "chroma at q85: ImageMagick, which otherwise keeps the original's subsampling "
          "(4:4:4 or 4:2:2 on most of these photos, for more bytes and a higher PSNR), "
          "gets `-sampling-factor 2x2`.",
          "- **PSNR**: RGB, against one reference per image: Pillow's full decode (no draft "
          "mode), turned upright by its EXIF orientation, resized with Lanczos "
          "(`reducing_gap=None`) to each output's exact size (the decode itself for full "
          "size; for the watermark, the logo composited in floating point at the same "
          "geometry). Outputs are turned by their own EXIF tag first, as a viewer would. "
          "The mean and min leave out the EXIF-rotated photo, whose PSNR is in the last "
          "column: a tool that ignores the orientation writes it sideways and scores low "
          "there. The reference turns the CMYK photo into RGB with Pillow's plain formula "
          "(no colour profile); a tool converting through an ICC profile (libvips) "
          "differs in colour there and scores lower on it.", ""]
    for rid in ("thumbnail", "webp-full", "webp-1024", "watermark"):
        r = roles[rid]
        md += ["## " + r.title, ""] + r.table() + [""]
        notes = r.problems()
        if rid == "thumbnail":
            notes.append("- ᵃ djpeg decodes the %d JPEGs at 1/8 scale and writes nothing: "
                         "a lower bound for any JPEG thumbnailer. Its ratio compares prism's "
                         "in-plugin time on the same files (%.2f s) with djpeg's process "
                         "time, of which start-up is about %.1f ms per file (the 16x16 row "
                         "below)." % (len(bound["files"]), thumb.inplugin(bound["files"]),
                                      median_of(results["progressive"][-1]["djpeg"]) * 1e3))
        notes.append("- prism's time inside the plugin (process() calls only) in the last "
                     "run: %.2f s of that run's %.2f s wall." % (r.inplugin(r.prism["files"]),
                                                               r.prism["samples"][-1]["wall"]))
        md += ["Notes:", ""] + notes + [""]
        if rid == "thumbnail":
            md += ["### Progressive photos only", "",
                   "One process per photo for both (start-up included, the last row is a "
                   "16x16 JPEG: start-up alone), medians of %d. The in-plugin time is wall time "
                   "inside the driver, around the plugin's process() call."
                   % max(results["repeat"], 5), ""] \
                + progressive_table(results["progressive"]) + [""]
        if rid == "watermark":
            md += ["### Watermark peak RSS on the largest photos", "",
                   "Medians of %d runs per image per tool, the tools taking turns; the 16x16 "
                   "row is each process's own footprint." % results["repeat"], ""] + memory_table(results["memory"]) + [""]
    formats = os.path.join(OUT, "formats.md")      # bench/formats.py's section
    if os.path.isfile(formats):
        md += [read(formats), ""]
    md += ["## Targets", "", "Benchmarks, not tests: a missed target is reported, never "
           "enforced. Judged on CPU time: every tool here is single-threaded and pinned, with "
           "its files in the page cache, so its CPU time is the wall time it would take on "
           "an idle machine, while the wall time also counts waiting for other work on a "
           "shared one; the wall figure is given beside.", ""] \
        + targets(roles, results["progressive"], results["memory"]) + [
           "", "## Reproduce", "", "`make bench` (installs the peers with "
           "`scripts/deps.sh bench`, builds the corpus, runs bench/run.sh; BENCH_RUNS "
           "(default 5) and BENCH_CPU override the number of runs and the CPU). Outputs stay in "
           "build/bench/ for inspection.", ""]
    text = "\n".join(md)
    docsection.write_main(text)     # the ingress and e2e sections stay
    print(text)


if __name__ == "__main__":
    main()
