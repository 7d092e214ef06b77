#!/usr/bin/python3
"""`make bench-ingress`: the upload endpoint against nginx itself.

    bench/ingress.py          (from the repository root, after make)

One nginx (Debian's, the module loaded, one worker, 127.0.0.1 only,
stopped at the end) serves four locations:
  - /dav/     nginx's own DAV module: PUT to a file, a new one per
              request as distinct uploads are (the baseline);
  - /local    prism_upload with prism_store local (link into a directory,
              then the SNS publish to the emulator);
  - /s3       prism_upload to S3 + SNS on the local emulator;
  - /static.txt  a small static file.
wrk drives each upload row at concurrency BENCH_INGRESS_CONNECTIONS (32)
for BENCH_INGRESS_SECONDS (5) with a 256 KB and a 4 MB JPEG body (real
photos of the corpus, the ones closest to those sizes), BENCH_RUNS (5)
runs, the rows taking turns within each run.  While each upload row runs,
a probe fetches /static.txt 20 times a second on its own connection; its
p99 is compared with the same probe on an idle nginx (the event loop must
not stall behind uploads).  Bodies and stored files live on a tmpfs when
one can be mounted (else under build/), emptied between runs.

The emulator: an already running one on PRISM_AWS_PORT is used as is;
otherwise one is started on that port with state under build/ and stopped
at the end.  Writes build/bench-ingress/results.json and
build/bench-ingress/report.md (merged into docs/benchmarks.md by
bench/report.py); prints the report.  Nothing here is a test: targets are
printed met or missed, the exit status is non-zero only when the bench
cannot run.
"""
import http.client
import json
import os
import re
import shutil
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docsection  # noqa: E402
import local_stack  # noqa: E402
from local_stack import MODULE, NGINX, Nginx, aws_env, sh, stop_aws  # noqa: E402
from stats import spread, verdict  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench-ingress")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SECONDS = int(os.environ.get("BENCH_INGRESS_SECONDS", "5"))
CONNS = int(os.environ.get("BENCH_INGRESS_CONNECTIONS", "32"))
PORT = int(os.environ.get("BENCH_INGRESS_PORT", "18480"))
AWS_PORT = int(os.environ.get("PRISM_AWS_PORT", "4566"))
AWS_STATE = os.path.join(OUT, "aws")
TARGETS = {"256k": 256 * 1024, "4m": 4 * 1024 * 1024}


def bodies():
    """The corpus JPEGs closest in size to each target: {label: path}."""
    corpus = os.path.join(ROOT, "build", "corpus")
    jpegs = [os.path.join(corpus, f) for f in sorted(os.listdir(corpus)) if f.endswith(".jpg")]
    if not jpegs:
        sys.exit("ingress: no corpus (bench/corpus.sh)")
    return {k: min(jpegs, key=lambda p: abs(os.path.getsize(p) - n)) for k, n in TARGETS.items()}


def mount_fs(fs):
    """A tmpfs at fs when this process may mount one (root): True; else
    a plain directory: False."""
    os.makedirs(fs, exist_ok=True)
    if os.geteuid() == 0 and sh(["mount", "-t", "tmpfs", "-o", "size=12g,mode=0755",
                                 "prism-bench", fs]).returncode == 0:
        return True
    return False


def nginx_conf(fs, topic, port, standin):
    """The bench's nginx.conf text: on port, DAV, prism's two uploads and
    the static file; with standin, SNS is answered by a second server of
    the same nginx (a fixed PublishResponse) instead of the emulator, to
    show the module's own cost apart from the emulator's."""
    sns = ""
    if standin:
        sns = """    prism_sns_endpoint http://127.0.0.1:%d;
    server {
        listen 127.0.0.1:%d;
        location / {
            client_max_body_size 1m;
            default_type text/xml;
            return 200 '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>00000000-0000-4000-8000-000000000000</MessageId></PublishResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></PublishResponse>';
        }
    }
""" % (port + 1, port + 1)
    return local_stack.nginx_conf(fs, AWS_PORT, "%s/outbox-%d" % (fs, port), "16m", 1024, """%(sns)s    server {
        listen 127.0.0.1:%(port)d;
        location /dav/ {
            root %(fs)s/dav;
            dav_methods PUT;
            create_full_put_path on;
        }
        location = /local {
            prism_upload on;
            prism_store local;
            prism_local_dir %(fs)s/local;
            prism_sns_topic_arn %(topic)s;
        }
        location = /s3 {
            prism_upload on;
            prism_bucket prism-ingest;
            prism_sns_topic_arn %(topic)s;
        }
        location = /static.txt { root %(fs)s/static; }
        location = /status { prism_status json; }
    }
""" % {"fs": fs, "port": port, "topic": topic, "sns": sns})


class Probe(threading.Thread):
    """Fetches /static.txt 20 times a second on one keep-alive connection
    until stopped; keeps each latency (s) and counts failures."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.lat, self.failed, self.halt = [], 0, threading.Event()

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.halt.is_set():
            t0 = time.perf_counter()
            try:
                c.request("GET", "/static.txt")
                r = c.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            dt = time.perf_counter() - t0
            if ok:
                self.lat.append(dt)
            else:
                self.failed += 1
            self.halt.wait(max(0.0, 0.05 - dt))    # pacing: 20 fetches a second


def cpu_ticks(pids):
    """User + system clock ticks used so far by the processes pids (every
    thread of each counted); a process that is gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total


def emulator_pids(state):
    """The emulator's processes, from their pid files in state."""
    pids = []
    for name in ("emulator.pid", "dynamodb.pid"):
        try:
            pids.append(int(open(os.path.join(state, name)).read()))
        except (OSError, ValueError):
            pass
    return pids


def worker_pids(server):
    """The nginx workers of server (the children of its master)."""
    try:
        master = int(open(os.path.join(server.prefix, "logs", "nginx.pid")).read())
        with open("/proc/%d/task/%d/children" % (master, master)) as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


def emulator_idle(state, seconds=60):
    """Waits (bounded) until the emulator's processes (pid files in state)
    use less than a tenth of a core over half a second: the events a row
    published fan out to the queues after the row, and that work must not
    land on the next row."""
    hz = os.sysconf("SC_CLK_TCK")
    end, last = time.time() + seconds, cpu_ticks(emulator_pids(state))
    while time.time() < end:
        time.sleep(0.5)    # poll: until the emulator is idle
        now = cpu_ticks(emulator_pids(state))
        if now - last < hz * 0.05:
            return True
        last = now
    return False


def percentile(values, q):
    """The q-th percentile (0..100) of values, nearest rank; NaN if none."""
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q / 100.0 * len(v) + 0.5)) - 1))]


WRK_LUA = """-- one body for every request, read once
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = os.getenv("BENCH_METHOD")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"
-- a PUT names a new file every time, as distinct uploads do
if wrk.method == "PUT" then
    local n = 0
    request = function()
        n = n + 1
        return wrk.format(nil, (wrk.path:gsub("%.jpg$", "-" .. n .. ".jpg")))
    end
end
local codes = {}
response = function(status, headers, body)
    codes[status] = (codes[status] or 0) + 1
end
done = function(summary, latency, requests)
    io.write(string.format("BENCH requests=%d seconds=%.3f p50=%d p99=%d errors=%d\\n",
        summary.requests, summary.duration / 1e6, latency:percentile(50),
        latency:percentile(99), summary.errors.status + summary.errors.connect
        + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url, method, body):
    """One wrk run; returns {rps, p50_ms, p99_ms, errors, requests}."""
    env = dict(os.environ, BENCH_BODY=body, BENCH_METHOD=method)
    r = sh(["wrk", "-t", "1", "-c", str(CONNS), "-d", "%ds" % SECONDS, "--timeout", "30s",
            "-s", os.path.join(OUT, "body.lua"), url], env=env)
    m = re.search(r"BENCH requests=(\d+) seconds=([\d.]+) p50=(\d+) p99=(\d+) errors=(\d+)",
                  r.stdout)
    if not m:
        sys.exit("ingress: wrk failed: %s" % (r.stdout + r.stderr)[-400:])
    n, s = int(m.group(1)), float(m.group(2))
    return {"requests": n, "rps": n / s, "p50_ms": int(m.group(3)) / 1e3,
            "p99_ms": int(m.group(4)) / 1e3, "errors": int(m.group(5))}


def empty(path):
    """Removes what is inside path (the stored uploads of a run)."""
    for name in os.listdir(path):
        p = os.path.join(path, name)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)


def main():
    """Runs the bench, writes the results and the section."""
    for tool in ("wrk", NGINX):
        if not shutil.which(tool):
            sys.exit("ingress: %s missing: run scripts/deps.sh bench" % tool)
    if not os.path.isfile(MODULE):
        sys.exit("ingress: %s missing: run make" % MODULE)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "body.lua"), "w") as f:
        f.write(WRK_LUA)
    fs = os.path.join(OUT, "fs")
    tmpfs = mount_fs(fs)
    aws, started = aws_env(AWS_PORT, AWS_STATE)
    state = started or os.environ.get("PRISM_AWS_STATE") or os.path.join(ROOT, ".local", "aws")
    nginx = standin = None
    try:
        for d in ("body", "dav", "local", "static", "outbox-%d" % PORT,
                  "outbox-%d" % (PORT + 10)):
            os.makedirs(os.path.join(fs, d), exist_ok=True)
        with open(os.path.join(fs, "static", "static.txt"), "w") as f:
            f.write("a small static file\n")
        topic = aws["PRISM_TOPIC_ARN_PRISM_UPLOADS"]
        nginx = Nginx(os.path.join(OUT, "nginx"), nginx_conf(fs, topic, PORT, False), PORT)
        standin = Nginx(os.path.join(OUT, "nginx-standin"),
                        nginx_conf(fs, topic, PORT + 10, True), PORT + 10)
        files = bodies()
        base = "http://127.0.0.1:%d" % PORT
        rows = [("nginx DAV PUT", "PUT", base + "/dav/up.jpg", nginx),
                ("prism_upload, local directory", "POST", base + "/local", nginx),
                ("prism_upload, local directory, SNS stand-in", "POST",
                 "http://127.0.0.1:%d/local" % (PORT + 10), standin),
                ("prism_upload, S3 + SNS (emulator)", "POST", base + "/s3", nginx)]
        load = open("/proc/loadavg").read().split()[:3]
        results = {"when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "runs": RUNS, "seconds": SECONDS, "connections": CONNS, "tmpfs": tmpfs,
                   "bodies": {k: {"path": os.path.relpath(p, ROOT), "bytes": os.path.getsize(p)}
                              for k, p in files.items()},
                   "load_before": load, "idle_probe": [], "rows": {}}
        for run in range(RUNS):
            emulator_idle(state)
            idle = Probe(PORT)
            idle.start()
            time.sleep(SECONDS)    # pacing: the idle probe lasts as long as a row
            idle.halt.set()
            idle.join()
            results["idle_probe"].append({"p50_ms": percentile(idle.lat, 50) * 1e3,
                                          "p99_ms": percentile(idle.lat, 99) * 1e3,
                                          "failed": idle.failed})
            for label, path in files.items():
                for name, method, url, server in rows:
                    workers, hz = worker_pids(server), os.sysconf("SC_CLK_TCK")
                    n0, e0 = cpu_ticks(workers), cpu_ticks(emulator_pids(state))
                    probe = Probe(server.port)
                    probe.start()
                    r = wrk(url, method, path)
                    probe.halt.set()
                    probe.join()
                    if method == "POST":
                        server.quiesce()    # prism's uploads still in flight
                    # CPU of the row: its nginx worker (threads included) per
                    # request wrk completed, and the emulator's in all
                    r["nginx_cpu_ms"] = (cpu_ticks(workers) - n0) / hz * 1e3 / max(1, r["requests"])
                    r["emulator_cpu_s"] = (cpu_ticks(emulator_pids(state)) - e0) / hz
                    r["emulator_idle"] = emulator_idle(state)
                    r["static_p99_ms"] = percentile(probe.lat, 99) * 1e3
                    r["static_failed"] = probe.failed
                    results["rows"].setdefault(label, {}).setdefault(name, []).append(r)
                    print("  run %d/%d %-5s %-36s %8.1f req/s  p50 %6.1f ms  p99 %7.1f ms  "
                          "static p99 %6.1f ms  errors %d"
                          % (run + 1, RUNS, label, name, r["rps"], r["p50_ms"], r["p99_ms"],
                             r["static_p99_ms"], r["errors"]), flush=True)
                    empty(os.path.join(fs, "local"))
                    empty(os.path.join(fs, "dav"))
        results["load_after"] = open("/proc/loadavg").read().split()[:3]
    finally:
        for server in (nginx, standin):
            if server:
                server.stop()
        stop_aws(AWS_PORT, started)
        if tmpfs:
            sh(["umount", fs])
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = "\n".join(report(results))
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write(text + "\n")
    docsection.write_section(docsection.OWNED[0], text + "\n")
    print(text)


def report(res):
    """The section's Markdown lines."""
    out = [docsection.OWNED[0], "",
           "`make bench-ingress` (bench/ingress.py) on %s UTC: one nginx worker, wrk with %d connections "
           "for %d s per row, %d runs, the rows taking turns; medians with their range. "
           "Stored files %s: every upload, DAV's included (a new file per PUT), stays there "
           "until its row ends. Load average before %s, after %s. The local-directory and S3 "
           "rows publish every event to SNS on the local emulator (a Node process on the "
           "same 2 cores), DAV publishes nothing; after every row the bench waits until the "
           "emulator is idle again (the fan-out of a row's events to the queues goes on "
           "after it), so that no row pays for another's."
           % (res["when"], res["connections"], res["seconds"], res["runs"],
              "on a tmpfs" if res["tmpfs"] else "on disk", " ".join(res["load_before"]),
              " ".join(res.get("load_after", ["?"])))]
    idle = [r["p99_ms"] for r in res["idle_probe"]]
    out += ["", "A static file fetched 20 times a second on its own connection: p99 %s ms on "
            "an idle nginx." % spread(idle, "%.1f"), ""]
    dav = "nginx DAV PUT"
    for label, rows in res["rows"].items():
        b = res["bodies"][label]
        out += ["### %s body (%s, %s bytes)" % (label, os.path.basename(b["path"]),
                                                format(b["bytes"], ",")), "",
                "| row | requests/s | ÷ DAV PUT | latency p50 ms | latency p99 ms | errors | "
                "static file p99 ms during the row | nginx CPU ms per request | "
                "emulator CPU s during the row |", "|---|---|---|---|---|---|---|---|---|"]
        for name, runs in rows.items():
            ratios = [r["rps"] / d["rps"] for r, d in zip(runs, rows[dav]) if d["rps"]]
            out.append("| %s | %s | %s | %s | %s | %d | %s | %s | %s |"
                       % (name, spread([r["rps"] for r in runs], "%.1f"),
                          "1" if name == dav else spread(ratios),
                          spread([r["p50_ms"] for r in runs], "%.1f"),
                          spread([r["p99_ms"] for r in runs], "%.1f"),
                          sum(r["errors"] for r in runs),
                          spread([r["static_p99_ms"] for r in runs], "%.1f"),
                          spread([r.get("nginx_cpu_ms", 0) for r in runs], "%.2f"),
                          spread([r.get("emulator_cpu_s", 0) for r in runs], "%.1f")))
        out.append("")
    out += ["nginx CPU per request is the row's nginx worker (its thread pool included) "
            "over the requests wrk completed; the emulator's CPU is its processes' over the "
            "row. Both share the machine's 2 cores with wrk.", ""]
    out += ["### Targets", ""]
    for label, rows in res["rows"].items():
        loc = rows["prism_upload, local directory"]
        ratios = [r["rps"] / d["rps"] for r, d in zip(loc, rows[dav]) if d["rps"]]
        out.append("- %s: prism_upload to a local directory ≥ 0.8× DAV PUT's requests/s: "
                   "%s× — %s" % (label, spread(ratios), verdict(statistics.median(ratios) >= 0.8)))
        for name in ("prism_upload, local directory", "prism_upload, local directory, SNS stand-in"):
            cpu = [r["nginx_cpu_ms"] / d["nginx_cpu_ms"] for r, d in zip(rows[name], rows[dav])
                   if d.get("nginx_cpu_ms") and "nginx_cpu_ms" in r]
            if cpu:
                out.append("- %s, for reference: nginx CPU per request of %s ÷ DAV PUT's: %s×"
                           % (label, name, spread(cpu)))
    worst = max(statistics.median([r["static_p99_ms"] for r in runs])
                for rows in res["rows"].values() for runs in rows.values())
    out.append("- the event loop does not stall: the static file's p99 during uploads, worst "
               "row %.1f ms against %.1f ms idle (no target set; reported)"
               % (worst, statistics.median(idle)))
    return out


if __name__ == "__main__":
    main()
