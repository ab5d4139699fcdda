#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A Splunk HEC and Elasticsearch _bulk receiver for the export tests and bench: loopback
# only, bodies of at most 8 MiB, gone after --lifetime seconds. It checks every body and
# records what it accepted; DIR/mode says how it answers, read at each request.
"""usage: export_receiver.py DIR [--lifetime SEC] [--count-only] [--tls CERT KEY]

Listens on 127.0.0.1 (a free port, written to DIR/port). POST /services/collector/event
takes HEC envelopes (Authorization: Splunk $HEC_TOKEN), POST /_bulk an ndjson _bulk body
of create actions and ECS documents. DIR/mode: ok (default), fail (503, nothing kept),
slow (0.3 s, then ok). Accepted events go to DIR/hec.jsonl and DIR/bulk.jsonl (one a line;
--count-only: only counted), request counts by answer to DIR/requests.json, and the first
malformed body's reason to DIR/errors (answered 400). --tls: HTTPS with the certificate
CERT (PEM, its chain included) and its key KEY."""
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_MAX = 8 << 20
SLOW_S = 0.3
LOCK = threading.Lock()
COUNTS = {"ok": 0, "fail": 0, "slow": 0, "bad": 0, "hec_events": 0, "bulk_docs": 0}


def parse_hec(body, token, auth):
    """The events of concatenated HEC envelopes, or raise ValueError naming the fault."""
    if auth != f"Splunk {token}":
        raise ValueError(f"Authorization is {auth!r}")
    dec, i, events = json.JSONDecoder(), 0, []
    text = body.decode("utf-8")
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            break
        env, i = dec.raw_decode(text, i)
        for k in ("time", "host", "source", "sourcetype", "event"):
            if k not in env:
                raise ValueError(f"envelope without {k}: {env}")
        if env["source"] != "bulkhead" or env["sourcetype"] != "bulkhead:" + env["event"]["type"]:
            raise ValueError(f"source/sourcetype {env['source']}/{env['sourcetype']}")
        if not isinstance(env["time"], (int, float)) or env["host"] != env["event"]["host"]["name"]:
            raise ValueError(f"time/host {env['time']}/{env['host']}")
        events.append(env["event"])
    return events


def parse_bulk(body, ctype):
    """The documents of a _bulk body of create actions, or raise ValueError."""
    if ctype != "application/x-ndjson":
        raise ValueError(f"Content-Type {ctype}")
    if not body.endswith(b"\n"):
        raise ValueError("a _bulk body must end with a newline")
    lines = body.decode("utf-8").split("\n")[:-1]
    if len(lines) % 2:
        raise ValueError("an action without its document")
    docs = []
    for action, doc in zip(lines[::2], lines[1::2]):
        a = json.loads(action)
        if list(a) != ["create"] or not a["create"].get("_index"):
            raise ValueError(f"action {action}")
        d = json.loads(doc)
        for k in ("@timestamp", "ecs", "event", "host"):
            if k not in d:
                raise ValueError(f"document without {k}")
        docs.append(d)
    return docs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the agent's libcurl expects

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"{}"):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        d = self.server.dir
        n = int(self.headers.get("Content-Length", "0"))
        if n > BODY_MAX:
            self.answer(413)
            self.close_connection = True
            return
        body = self.rfile.read(n)
        try:
            with open(os.path.join(d, "mode"), encoding="utf-8") as fh:
                mode = fh.read().strip() or "ok"
        except OSError:
            mode = "ok"
        if mode == "fail":
            self.count("fail")
            self.answer(503, b'{"text":"receiver down (test)"}')
            return
        if mode == "slow":
            self.count("slow")
            time.sleep(SLOW_S)
        try:
            if self.path == "/services/collector/event":
                items, name = parse_hec(body, os.environ.get("HEC_TOKEN", ""),
                                        self.headers.get("Authorization")), "hec"
            elif self.path.startswith("/_bulk"):
                items, name = parse_bulk(body, self.headers.get("Content-Type")), "bulk"
            else:
                raise ValueError(f"unknown path {self.path}")
        except (ValueError, KeyError, TypeError) as e:
            with LOCK:
                COUNTS["bad"] += 1
                if not os.path.exists(os.path.join(d, "errors")):
                    with open(os.path.join(d, "errors"), "w", encoding="utf-8") as fh:
                        fh.write(str(e) + "\n")
            self.answer(400)
            return
        with LOCK:
            if not self.server.count_only:
                with open(os.path.join(d, name + ".jsonl"), "a", encoding="utf-8") as fh:
                    for it in items:
                        fh.write(json.dumps(it, separators=(",", ":")) + "\n")
            COUNTS["hec_events" if name == "hec" else "bulk_docs"] += len(items)
        self.count("ok")
        if name == "bulk":
            resp = {"took": 1, "errors": False,
                    "items": [{"create": {"status": 201}} for _ in items]}
            self.answer(200, json.dumps(resp).encode())
        else:
            self.answer(200, b'{"text":"Success","code":0}')

    def count(self, what):
        with LOCK:
            COUNTS[what] += 1
            tmp = os.path.join(self.server.dir, "requests.json.tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(COUNTS, fh)
            os.replace(tmp, os.path.join(self.server.dir, "requests.json"))


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    lifetime = 300
    if "--lifetime" in args:
        lifetime = int(args[args.index("--lifetime") + 1])
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.dir = args[0]
    srv.count_only = "--count-only" in args
    if "--tls" in args:
        i = args.index("--tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[i + 1], args[i + 2])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Timer(lifetime, srv.shutdown).start()
    with open(os.path.join(srv.dir, "port.tmp"), "w", encoding="utf-8") as fh:
        fh.write(str(srv.server_address[1]))
    os.replace(os.path.join(srv.dir, "port.tmp"), os.path.join(srv.dir, "port"))
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
