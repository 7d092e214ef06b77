"""The local parts the end-to-end benches start and stop themselves: the
AWS emulator (scripts/local-aws.sh on a port of the bench's choosing) and
an nginx with prism's module, each on 127.0.0.1 only.  A part is stopped
only by the bench that started it."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = os.path.join(ROOT, "build", "nginx", "objs", "ngx_http_prism_module.so")
NGINX = "/usr/sbin/nginx"
LOCAL_AWS = os.path.join(ROOT, "scripts", "local-aws.sh")


def sh(argv, **kw):
    """Runs argv, returns its CompletedProcess (text); never raises on status."""
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def aws_env(port, own_state):
    """The emulator's provisioned names (PRISM_TOPIC_ARN_..., PRISM_QUEUE_URL_...,
    from local-aws.sh's resources.env) and its keys (put in os.environ
    for nginx's prism_credentials env): an emulator already running on
    port is used as it is (its state in PRISM_AWS_STATE, default
    .local/aws); otherwise one is started with its state in own_state.
    Returns (names, the state directory if this call started it, else
    None); exits when neither works."""
    state = os.environ.get("PRISM_AWS_STATE") or os.path.join(ROOT, ".local", "aws")
    env = dict(os.environ, PRISM_AWS_PORT=str(port), PRISM_DYNAMODB_PORT=str(port + 1),
               PRISM_AWS_STATE=state)
    started = None
    if sh([LOCAL_AWS, "status"], env=env).returncode != 0:
        state = env["PRISM_AWS_STATE"] = own_state
        r = sh([LOCAL_AWS, "start"], env=env)
        if r.returncode != 0:
            sys.exit("bench: cannot start the emulator: %s" % (r.stdout + r.stderr)[-400:])
        started = state
    found = {}
    path = os.path.join(state, "resources.env")
    for line in open(path) if os.path.isfile(path) else []:
        m = re.match(r"(?:export )?(\w+)=['\"]?([^'\"\n]*)", line)
        if m:
            found[m.group(1)] = m.group(2)
    for line in sh([LOCAL_AWS, "env"], env=env).stdout.splitlines():
        m = re.match(r"export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_REGION)=(.*)", line)
        if m:
            os.environ[m.group(1)] = m.group(2)
    os.environ["PRISM_AWS_ENDPOINT"] = "http://127.0.0.1:%d" % port
    os.environ["PRISM_DYNAMODB_ENDPOINT"] = "http://127.0.0.1:%d" % (port + 1)
    if "PRISM_TOPIC_ARN_PRISM_UPLOADS" not in found:
        stop_aws(port, started)
        sys.exit("bench: no upload topic in %s (scripts/local-aws.sh start)" % path)
    return found, started


def nginx_conf(fs, aws_port, outbox, body_max, connections, http):
    """An nginx.conf for a bench: prism's module, one worker, a one-thread
    pool for prism, bodies under fs/body, prism's AWS settings for the
    emulator on aws_port (keys from the environment), the outbox at
    outbox; http: the rest of the http block (its servers)."""
    return """load_module %(module)s;
%(user)s
worker_processes 1;
error_log logs/error.log warn;
pid logs/nginx.pid;
thread_pool prism threads=1;
events { worker_connections %(connections)d; }
http {
    access_log off;
    client_max_body_size %(body_max)s;
    client_body_temp_path %(fs)s/body;
    prism_region us-east-1;
    prism_aws_endpoint http://127.0.0.1:%(aws)d;
    prism_credentials env;
    prism_thread_pool prism;
    prism_outbox %(outbox)s;
%(http)s}
""" % {"module": MODULE, "user": "user root;" if os.geteuid() == 0 else "", "fs": fs,
       "aws": aws_port, "outbox": outbox, "body_max": body_max, "connections": connections,
       "http": http}


def stop_aws(port, state):
    """Stops the emulator a bench started (state: its directory), if any."""
    if state:
        sh([LOCAL_AWS, "stop"], env=dict(os.environ, PRISM_AWS_PORT=str(port),
                                         PRISM_DYNAMODB_PORT=str(port + 1),
                                         PRISM_AWS_STATE=state))


class Nginx:
    """The bench's nginx: started on construction, stop() at the end."""

    def __init__(self, prefix, conf, port):
        self.prefix, self.port = prefix, port
        os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(conf)
        r = sh([NGINX, "-p", prefix + "/", "-c", "nginx.conf", "-e", "logs/error.log"])
        if r.returncode != 0:
            sys.exit("bench: nginx did not start: " + r.stderr)
        for _ in range(100):
            if self.get("/static.txt")[0] == 200:
                return
            time.sleep(0.05)    # poll: until nginx answers
        self.stop()
        sys.exit("bench: nginx does not answer")

    def get(self, path):
        """(status, seconds) of one GET on a fresh connection; (0, 0) on error."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            t0 = time.perf_counter()
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            return r.status, time.perf_counter() - t0, body
        except OSError:
            return 0, 0.0, b""

    def quiesce(self):
        """Waits (bounded, 60 s) until no upload is in flight: wrk stops
        with requests still running, which finish on their own."""
        for _ in range(1200):
            st, _, body = self.get("/status")
            if st == 200 and json.loads(body).get("inFlight") == 0:
                return
            time.sleep(0.05)    # poll: until the uploads in flight are done
        sys.exit("bench: uploads still in flight after 60 s")

    def stop(self):
        """Stops the master this object started (its pid file), waiting for it."""
        try:
            pid = int(open(os.path.join(self.prefix, "logs", "nginx.pid")).read())
        except (OSError, ValueError):
            return
        os.kill(pid, signal.SIGQUIT)
        for _ in range(200):
            if not os.path.exists("/proc/%d" % pid):
                return
            time.sleep(0.05)    # poll: until the master is gone
        os.kill(pid, signal.SIGKILL)
