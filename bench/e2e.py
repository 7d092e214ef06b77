#!/usr/bin/python3
"""`make bench-e2e`: prism-host against the reference design's consumer.

    bench/e2e.py          (from the repository root, after make)

On one emulator (its own, on BENCH_E2E_AWS_PORT, default 4620, started
and stopped here) and one nginx with prism's upload endpoint (S3 + SNS,
fanned out to a queue per role), with the corpus (bench/corpus.sh) as the
photo set, per role (thumbnail 256 JPEG q85, webp q80 full size,
watermark), two consumers take turns:
  - prism-host with the role's route, 2 workers (and 1, for scaling);
  - the peer: 2 Node processes of bench/e2e_consumer.js (AWS SDK v3 +
    sharp, one thread each: ReceiveMessage long poll -> GetObject ->
    sharp -> PutObject -> DeleteMessage).
Drain: the photos are uploaded with no consumer running; then the
consumer starts and the time until every photo's output is stored (from
the consumers' own "stored" lines) gives messages/s; the consumers' CPU
time (user + system, from wait4) gives CPU per message.  BENCH_RUNS (5)
rounds, the consumers taking turns within each.
Streaming: thumbnail only, each consumer in turn running while photos are
uploaded at BENCH_E2E_RATE (5) per second for BENCH_E2E_SECONDS (30),
BENCH_RUNS rounds: publish -> stored latency p50/p99 per run, medians (the upload's 201, which follows the
publish, to the consumer's line after its PutObject returned).
Writes build/bench-e2e/results.json and the section "End to end
(bench-e2e)" of docs/benchmarks.md; prints it.  Targets are printed met
or missed, never enforced.
"""
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docsection  # noqa: E402
import local_stack  # noqa: E402
from local_stack import MODULE, Nginx, aws_env, sh, stop_aws  # noqa: E402
from stats import spread, verdict  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench-e2e")
HOST = os.path.join(ROOT, "build", "prism-host")
CLI = os.path.join(ROOT, "build", "prism-aws")
PLUGINS = os.path.join(ROOT, "build", "plugins")
NODE = os.path.join(ROOT, ".local", "emulator", "node_modules", ".bin", "node")
NODE_MODULES = os.path.join(ROOT, ".local", "bench-node", "node_modules")
LOGO = os.path.join(ROOT, "tests", "data", "watermark", "logo.png")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
AWS_PORT = int(os.environ.get("BENCH_E2E_AWS_PORT", "4620"))
PORT = int(os.environ.get("BENCH_E2E_PORT", "18580"))
RATE = float(os.environ.get("BENCH_E2E_RATE", "5"))
STREAM_SECONDS = int(os.environ.get("BENCH_E2E_SECONDS", "30"))
ROLES = {
    "thumbnail": ("thumbnail.so", {"sizes": [256], "mode": "fit", "quality": 85}),
    "webp": ("webp.so", {"quality": 80, "max_dimension": 0}),
    "watermark": ("watermark.so", {"logo": LOGO, "gravity": "south-east", "opacity": 0.5,
                                   "scale": 0.2, "margin": 16, "quality": 85}),
}
GOALS = {"thumbnail": 3.0, "webp": 1.25, "watermark": 2.0}
# Both consumers long-poll 1 s here (20 s in production): a stopped
# consumer's last poll can still take a message on the emulator (and on
# SQS), hiding it for its visibility timeout from the next consumer; with
# 1 s polls the bench waits them out (STALE_POLL) before the next turn.
WAIT = 1
STALE_POLL = 1.5


def nginx_conf(fs, topic):
    """nginx with the upload endpoint (S3 + SNS on the emulator)."""
    return local_stack.nginx_conf(fs, AWS_PORT, fs + "/outbox", "32m", 256, """    server {
        listen 127.0.0.1:%(port)d;
        location = /upload {
            prism_upload on;
            prism_max_pixels 50000000;
            prism_bucket prism-ingest;
            prism_key_prefix originals/;
            prism_sns_topic_arn %(topic)s;
        }
        location = /static.txt { return 200 "ok\\n"; }
        location = /status { prism_status json; }
    }
""" % {"port": PORT, "topic": topic})


def photos():
    """The photo set: every image of the corpus, as (name, bytes)."""
    corpus = os.path.join(ROOT, "build", "corpus")
    files = sorted(f for f in os.listdir(corpus) if f.endswith((".jpg", ".png")))
    if not files:
        sys.exit("e2e: no corpus (bench/corpus.sh)")
    if os.environ.get("BENCH_E2E_PHOTOS"):      # a quick look on fewer photos
        files = files[:int(os.environ["BENCH_E2E_PHOTOS"])]
    return [(f, open(os.path.join(corpus, f), "rb").read()) for f in files]


def upload(data):
    """POSTs one photo to the endpoint; returns (status, original key, epoch s of the answer)."""
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    c.request("POST", "/upload", body=data, headers={"Content-Type": "application/octet-stream"})
    r = c.getresponse()
    body = r.read()
    t = time.time()
    c.close()
    key = json.loads(body).get("key") if r.status == 201 else None
    return r.status, key, t


def upload_all(items, workers=4):
    """Uploads every photo (workers at a time); returns the original keys."""
    keys, lock, todo = [], threading.Lock(), list(items)

    def run():
        while True:
            with lock:
                if not todo:
                    return
                _, data = todo.pop()
            st, key, _ = upload(data)
            if st != 201:
                sys.exit("e2e: an upload got %d" % st)
            with lock:
                keys.append(key)
    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(keys) != len(items):
        sys.exit("e2e: %d of %d uploads answered 201" % (len(keys), len(items)))
    return keys


def cli(*args):
    """prism-aws ARGS; its stdout (exits on failure)."""
    r = sh([CLI] + list(args))
    if r.returncode != 0:
        sys.exit("e2e: prism-aws %s: %s" % (" ".join(args[:2]), r.stderr.strip()))
    return r.stdout


def visible(url):
    """The queue's ApproximateNumberOfMessages (visible ones)."""
    out = cli("sqs", "attributes", "--queue-url", url)
    m = re.search(r'"?ApproximateNumberOfMessages"?\s*[:=]\s*"?(\d+)', out)
    return int(m.group(1)) if m else 0


def purge(aws):
    """Empties every role's queue (and the avif one the topic also feeds)."""
    for name in ("THUMBNAIL", "WEBP", "WATERMARK", "AVIF"):
        url = aws.get("PRISM_QUEUE_URL_PRISM_" + name)
        if url:
            cli("sqs", "purge", "--queue-url", url)


def wait_until(seconds, what, cond):
    """Polls cond every 0.1 s until it is true; exits naming what after seconds."""
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return
        time.sleep(0.1)    # poll: until the condition holds or the deadline
    sys.exit("e2e: %s did not happen within %d s" % (what, seconds))


class Consumer:
    """One consumer of one role, started on construction: prism-host with
    that route and `workers` workers, or `workers` peer processes.
    stored() reads the (original key, epoch s) of each output so far from
    its logs; stop() ends it and returns its processes' CPU seconds."""

    def __init__(self, kind, role, workers, aws, tag):
        self.kind, self.procs, self.logs, self.reaped = kind, [], [], {}
        d = os.path.join(OUT, "run", tag)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        queue = aws["PRISM_QUEUE_URL_PRISM_" + role.upper()]
        if kind == "prism":
            plugin, params = ROLES[role]
            conf = {"aws": {"region": "us-east-1",
                            "endpoint": os.environ["PRISM_AWS_ENDPOINT"]},
                    "workers": workers,
                    "log": {"level": "debug", "file": os.path.join(d, "host.log")},
                    "routes": [{"name": role, "queue_url": queue,
                                "dlq_url": aws["PRISM_QUEUE_URL_PRISM_%s_DLQ" % role.upper()],
                                "plugin": os.path.join(PLUGINS, plugin), "plugin_params": params,
                                "input": {"buckets": ["prism-ingest"], "prefix": "originals/"},
                                "output": {"bucket": "prism-derived", "prefix": tag + "/"},
                                "visibility_timeout": 60, "max_attempts": 4,
                                "wait_time_seconds": WAIT}]}
            if os.geteuid() == 0:
                conf["allow_root"] = True
            with open(os.path.join(d, "host.json"), "w") as f:
                json.dump(conf, f, indent=1)
            self.logs.append(os.path.join(d, "host.log"))
            self.procs.append(subprocess.Popen([HOST, "-c", os.path.join(d, "host.json")],
                                               stdout=subprocess.DEVNULL,
                                               stderr=open(os.path.join(d, "host.err"), "w")))
        else:
            env = dict(os.environ, ROLE=role, QUEUE_URL=queue, OUT_BUCKET="prism-derived",
                       OUT_PREFIX=tag + "/", LOGO=LOGO, AWS_ENDPOINT=os.environ["PRISM_AWS_ENDPOINT"],
                       UV_THREADPOOL_SIZE="1", NODE_PATH=NODE_MODULES, WAIT_SECONDS=str(WAIT))
            for i in range(workers):
                log = os.path.join(d, "peer-%d.log" % i)
                self.logs.append(log)
                self.procs.append(subprocess.Popen(
                    [NODE, os.path.join(ROOT, "bench", "e2e_consumer.js")], env=env,
                    stdout=open(log, "w"), stderr=open(log + ".err", "w")))

    def check(self):
        """Exits naming the first failure a consumer logged, or a consumer
        process that ended: the bench measures consumers that work."""
        for log in self.logs:
            try:
                text = open(log).read()
            except OSError:
                continue
            m = re.search(r"^(failed .*|\S+Z (?:error|crit) .*)$", text, re.M)
            if m:
                self.stop()
                sys.exit("e2e: a %s consumer failed: %s" % (self.kind, m.group(1)[:300]))
        for p in self.procs:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                self.reaped[p.pid] = ru
                sys.exit("e2e: a %s consumer exited (status %d)"
                         % (self.kind, os.waitstatus_to_exitcode(status)))

    def stored(self):
        """[(original key, epoch seconds)] of the outputs stored so far."""
        out = []
        for log in self.logs:
            try:
                text = open(log).read()
            except OSError:
                continue
            if self.kind == "prism":
                for m in re.finditer(r"^(\d+-\d+-\d+T\d+:\d+:\d+(?:\.\d+)?)Z .* stored \S+?/(\S+)/"
                                     r"[^/ ]+/[^/ ]+ ", text, re.M):
                    out.append((m.group(2), iso(m.group(1))))
            else:
                for m in re.finditer(r"^stored (\d+) (\S+) ", text, re.M):
                    out.append((os.path.splitext(m.group(2))[0], int(m.group(1)) / 1e3))
        return out

    def stop(self):
        """Stops the processes (SIGTERM, then SIGKILL after 15 s) and reaps
        them; returns their CPU seconds (user + system, from wait4)."""
        cpu = 0.0
        for p in self.procs:
            if p.pid not in self.reaped:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            end, ru = time.time() + 15, self.reaped.get(p.pid)
            while ru is None and time.time() < end:
                pid, _, r = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    ru = r
                else:
                    time.sleep(0.05)    # poll: until the process is gone
            if ru is None:
                p.kill()
                _, _, ru = os.wait4(p.pid, 0)
            p.returncode = 0            # reaped here, not by Popen
            cpu += ru.ru_utime + ru.ru_stime
        time.sleep(STALE_POLL)    # pacing: the stopped consumers' last polls expire
        return cpu


def iso(text):
    """Epoch seconds of an ISO-8601 UTC timestamp without its Z."""
    import datetime
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    return datetime.datetime.strptime(text, fmt).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def drain(kind, role, workers, aws, items, tag):
    """One drain: uploads every photo, waits for the role's queue to hold
    them, starts the consumer, times until all are stored.  Returns
    {seconds, per_s, cpu_per_msg}."""
    purge(aws)
    keys = upload_all(items)
    url = aws["PRISM_QUEUE_URL_PRISM_" + role.upper()]
    wait_until(60, "the %s queue holding %d messages" % (role, len(keys)),
               lambda: visible(url) >= len(keys))
    bases = {os.path.splitext(k)[0] for k in keys}
    t0 = time.time()
    c = Consumer(kind, role, workers, aws, tag)
    done = []

    def finished():
        c.check()
        done[:] = [t for b, t in c.stored() if b in bases]
        return len({b for b, _ in c.stored() if b in bases}) >= len(bases)
    try:
        wait_until(900, "%s %s storing %d outputs" % (kind, role, len(bases)), finished)
    finally:
        cpu = c.stop()
    secs = max(done) - t0
    return {"seconds": secs, "per_s": len(bases) / secs, "cpu_per_msg": cpu / len(bases)}


def stream(kind, aws, items, tag):
    """Thumbnail latency while photos are uploaded at RATE per second for
    STREAM_SECONDS; returns the latencies (s), publish -> stored."""
    purge(aws)
    c = Consumer(kind, "thumbnail", 2, aws, tag)
    time.sleep(2)    # pacing: the consumer's start-up is not part of the latency
    sent = {}
    try:
        n = int(RATE * STREAM_SECONDS)
        t0 = time.time()
        for i in range(n):
            name, data = items[i % len(items)]
            st, key, t = upload(data)
            if st == 201:
                sent[os.path.splitext(key)[0]] = t
            time.sleep(max(0.0, t0 + (i + 1) / RATE - time.time()))    # pacing: the rate
        wait_until(300, "%s storing the streamed thumbnails" % kind,
                   lambda: len({b for b, _ in c.stored() if b in sent}) >= len(sent))
    finally:
        c.stop()
    first = {}
    for b, t in c.stored():
        if b in sent and (b not in first or t < first[b]):
            first[b] = t
    return [first[b] - sent[b] for b in sent if b in first]


def percentile(values, q):
    """The q-th percentile (nearest rank) of values."""
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q / 100.0 * len(v) + 0.5)) - 1))]


def main():
    """Runs the bench, writes the results and the section."""
    for f in (HOST, CLI, MODULE, NODE):
        if not os.path.exists(f):
            sys.exit("e2e: %s missing: run make (and scripts/deps.sh bench)" % f)
    if not os.path.isdir(os.path.join(NODE_MODULES, "@aws-sdk", "client-sqs")):
        sys.exit("e2e: the peer's Node packages are missing: run scripts/deps.sh bench")
    for d in ("run", "fs", "nginx"):       # the emulator's state (aws/) stays
        shutil.rmtree(os.path.join(OUT, d), ignore_errors=True)
    fs = os.path.join(OUT, "fs")
    for d in ("body", "outbox"):
        os.makedirs(os.path.join(fs, d))
    aws, started = aws_env(AWS_PORT, os.path.join(OUT, "aws"))
    nginx = None
    items = photos()
    res = {"when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "runs": RUNS,
           "photos": len(items), "rate": RATE, "stream_seconds": STREAM_SECONDS,
           "load_before": open("/proc/loadavg").read().split()[:3], "drain": {}, "stream": {}}
    try:
        nginx = Nginx(os.path.join(OUT, "nginx"), nginx_conf(fs, aws["PRISM_TOPIC_ARN_PRISM_UPLOADS"]),
                      PORT)
        plan = [("prism", 2), ("peer", 2), ("prism", 1)]
        for run in range(RUNS):
            for role in ROLES:
                for kind, workers in plan:
                    tag = "%s-%s-%d-%d" % (kind, role, workers, run)
                    r = drain(kind, role, workers, aws, items, tag)
                    res["drain"].setdefault(role, {}).setdefault("%s/%d" % (kind, workers),
                                                                 []).append(r)
                    print("  run %d/%d %-9s %-5s x%d: %6.2f messages/s, %6.3f s CPU per message"
                          % (run + 1, RUNS, role, kind, workers, r["per_s"], r["cpu_per_msg"]),
                          flush=True)
        for run in range(RUNS):
            for kind in ("prism", "peer"):
                lat = stream(kind, aws, items, "stream-%s-%d" % (kind, run))
                res["stream"].setdefault(kind, []).append(lat)
                print("  stream run %d/%d %-5s: %d thumbnails, p50 %.1f ms, p99 %.1f ms"
                      % (run + 1, RUNS, kind, len(lat), percentile(lat, 50) * 1e3,
                         percentile(lat, 99) * 1e3), flush=True)
        res["load_after"] = open("/proc/loadavg").read().split()[:3]
    finally:
        if nginx:
            nginx.stop()
        stop_aws(AWS_PORT, started)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    text = "\n".join(report(res))
    docsection.write_section(docsection.OWNED[1], text + "\n")
    print(text)


def report(res):
    """The section's Markdown lines."""
    out = [docsection.OWNED[1], "",
           "`make bench-e2e` (bench/e2e.py) on %s UTC: one emulator, one nginx with the upload "
           "endpoint (S3 + SNS), %d photos of the corpus. Drain: the photos are uploaded with "
           "no consumer running, then the consumer starts; messages/s is the photos over the "
           "time from its start to its last output stored, CPU per message is its processes' "
           "user + system time over the photos. %d runs, the consumers taking turns within each; "
           "medians with their range. Load average before %s, after %s. The peer is "
           "bench/e2e_consumer.js: Node, AWS SDK v3, sharp on one thread, 2 processes "
           "(ReceiveMessage long poll, batches of up to 10 handled in turn as Lambda does)."
           % (res["when"], res["photos"], res["runs"], " ".join(res["load_before"]),
              " ".join(res.get("load_after", ["?"]))), "",
           "| role | prism-host, 2 workers: messages/s | peer, 2 processes: messages/s | "
           "prism ÷ peer | prism-host, 1 worker: messages/s | 2 workers ÷ 1 | CPU s per "
           "message: prism | CPU s per message: peer |", "|---|---|---|---|---|---|---|---|"]
    targets = []
    for role, rows in res["drain"].items():
        p2, peer, p1 = rows["prism/2"], rows["peer/2"], rows["prism/1"]
        ratio = [a["per_s"] / b["per_s"] for a, b in zip(p2, peer)]
        scale = [a["per_s"] / b["per_s"] for a, b in zip(p2, p1)]
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |"
                   % (role, spread([r["per_s"] for r in p2]), spread([r["per_s"] for r in peer]),
                      spread(ratio), spread([r["per_s"] for r in p1]), spread(scale),
                      spread([r["cpu_per_msg"] for r in p2], "%.3f"),
                      spread([r["cpu_per_msg"] for r in peer], "%.3f")))
        targets.append("- %s: prism-host ≥ %.2f× the peer's messages/s: %s× — %s"
                       % (role, GOALS[role], spread(ratio),
                          verdict(statistics.median(ratio) >= GOALS[role])))
    out += ["", "Streaming, thumbnail 256 only: %g uploads/s for %d s, each consumer in turn "
            "(2 workers / 2 processes), %d runs; latency from the upload's 201 (the event is "
            "published before it) to the consumer's output stored, per run, then the median "
            "of the runs with their range:" % (res["rate"], res["stream_seconds"], res["runs"]),
            "", "| consumer | thumbnails per run | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|---|"]
    for kind, runs in res["stream"].items():
        out.append("| %s | %d | %s | %s | %s |"
                   % ("prism-host" if kind == "prism" else "peer", len(runs[0]),
                      spread([percentile(lat, 50) * 1e3 for lat in runs], "%.1f"),
                      spread([percentile(lat, 99) * 1e3 for lat in runs], "%.1f"),
                      spread([max(lat) * 1e3 for lat in runs], "%.1f")))
    p99s = [percentile(lat, 99) * 1e3 for lat in res["stream"]["prism"]]
    targets.append("- thumbnail publish → stored p99 ≤ 50 ms while streaming: %s ms — %s"
                   % (spread(p99s, "%.1f"), verdict(statistics.median(p99s) <= 50)))
    out += ["", "### Targets", ""] + targets
    return out


if __name__ == "__main__":
    main()
