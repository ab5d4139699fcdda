#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Checks what rsyslog received from `--export syslog...` field by field against the agent's
# stdout: every finding at or above MIN_SEVERITY arrived once, with the right header.
"""usage: check_syslog.py rfc5424|cef STDOUT RECEIVED AGENT_PID [MIN_SEVERITY]

RECEIVED holds one record a line as rsyslog's template wrote it, tab-separated:
PRI, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID, STRUCTURED-DATA, MSG."""
import json
import re
import sys
from datetime import datetime, timezone

SEVERITIES = ["low", "medium", "high", "critical"]
SYSLOG_SEV = {"critical": 2, "high": 3, "medium": 4, "low": 5}
CEF_SEV = {"low": 3, "medium": 5, "high": 8, "critical": 10}
LOCAL0 = 16


def fail(msg):
    print("check_syslog: " + msg, file=sys.stderr)
    sys.exit(1)


def epoch_ms(rfc3339):
    """Milliseconds of "2026-12-05T12:00:00.123456789Z", truncated as the agent does."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", rfc3339)
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    frac = (m.group(2) or "") + "000"
    return int(base.timestamp()) * 1000 + int(frac[:3])


def cef_split_header(msg):
    """The 7 header fields (unescaped) and the extension of a CEF record."""
    fields, cur, i = [], "", 0
    while len(fields) < 7:
        c = msg[i]
        if c == "\\":
            cur += msg[i + 1]
            i += 2
            continue
        if c == "|":
            fields.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    return fields, msg[i:]


def cef_extension(ext):
    """key=value pairs; values keep '\\=' and '\\\\' escapes until unescaped here."""
    out = {}
    for m in re.finditer(r"(\w+)=((?:\\.|[^\\=])*?)(?=\s\w+=|$)", ext):
        out[m.group(1)] = re.sub(r"\\(.)", lambda e: {"n": "\n", "r": "\r"}.get(e.group(1), e.group(1)), m.group(2))
    return out


def check_rfc5424(rec, f, pid):
    pri, ts, host, app, procid, msgid, sd, msg = rec
    want_pri = LOCAL0 * 8 + SYSLOG_SEV[f["severity"]]
    if int(pri) != want_pri:
        fail(f"PRI {pri}, not {want_pri}, for a {f['severity']} finding")
    if host != f["host"]["name"] or app != "bulkhead" or procid != pid or msgid != "finding":
        fail(f"header {host} {app} {procid} {msgid} is not {f['host']['name']} bulkhead {pid} finding")
    # rsyslog re-renders the time (date-rfc3339): the same instant to the microsecond
    got = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if abs(got.timestamp() * 1000 - epoch_ms(f["time"])) >= 1:
        fail(f"TIMESTAMP {ts} is not {f['time']}")
    params = dict(re.findall(r'(\w+)="((?:\\.|[^"\\])*)"', sd))
    if not sd.startswith("[bulkhead@32473 "):
        fail(f"structured data {sd} lacks the bulkhead@32473 element")
    want = {"rule": f["rule"], "severity": f["severity"]}
    if f.get("container"):
        want["container_id"] = f["container"]["id"]
        if f["container"].get("name"):
            want["container_name"] = f["container"]["name"]
    for k, v in want.items():
        if params.get(k, "").replace('\\"', '"').replace("\\]", "]").replace("\\\\", "\\") != v:
            fail(f"structured data {k}={params.get(k)!r}, not {v!r}")


def check_cef(rec, f, pid):
    pri, host, procid, msg = rec[0], rec[2], rec[4], rec[7]
    if int(pri) != LOCAL0 * 8 + SYSLOG_SEV[f["severity"]] or host != f["host"]["name"] or procid != pid:
        fail(f"syslog header {pri} {host} {procid} of a CEF record")
    if not msg.startswith("CEF:0|"):
        fail(f"not a CEF record: {msg[:80]}")
    hdr, ext = cef_split_header(msg)
    if hdr[1:3] != ["bulkhead", "bulkhead"] or hdr[4] != f["rule"] or hdr[5] != f["summary"]:
        fail(f"CEF header {hdr}")
    if int(hdr[6]) != CEF_SEV[f["severity"]]:
        fail(f"CEF severity {hdr[6]} for {f['severity']}")
    e = cef_extension(ext)
    checks = {"rt": str(epoch_ms(f["time"])), "dvchost": f["host"]["name"], "cat": "finding",
              "msg": f["summary"], "cs6Label": "severity", "cs6": f["severity"],
              "cs5Label": "remediation", "cs5": f["remediation"]}
    if f.get("container"):
        checks.update({"cs1Label": "containerId", "cs1": f["container"]["id"]})
    if f.get("process"):
        checks.update({"spid": str(f["process"]["pid"]), "sproc": f["process"]["comm"]})
    for k, v in checks.items():
        if e.get(k) != v:
            fail(f"CEF extension {k}={e.get(k)!r}, not {v!r}")


def key(f):
    """What tells findings apart in both formats: rule, container and time to the ms."""
    return (f["rule"], (f.get("container") or {}).get("id"), epoch_ms(f["time"]))


def main():
    if len(sys.argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    mode, stdout, received, pid = sys.argv[1:5]
    min_sev = SEVERITIES.index(sys.argv[5]) if len(sys.argv) == 6 else 0
    waiting = {}  # key -> the stdout findings of that key not yet received
    total = 0
    with open(stdout, encoding="utf-8") as fh:
        for line in fh:
            f = json.loads(line)
            if f.get("type") == "finding" and SEVERITIES.index(f["severity"]) >= min_sev:
                waiting.setdefault(key(f), []).append(f)
                total += 1
    if not total:
        fail("no finding on stdout")
    received_n = 0
    with open(received, encoding="utf-8") as fh:
        for line in fh:
            rec = line.rstrip("\n").split("\t", 7)
            if len(rec) != 8:
                fail(f"a record of {len(rec)} fields: {line[:120]}")
            if mode == "rfc5424":
                got = json.loads(rec[7])
                if got.get("type") != "finding":
                    fail(f"a {got.get('type')} line was sent (types= is finding)")
                k = key(got)
            else:
                hdr, ext = cef_split_header(rec[7])
                e = cef_extension(ext)
                k = (hdr[4], e.get("cs1"), int(e["rt"]))
            cands = waiting.get(k)
            if not cands:
                fail(f"a record matches no finding left on stdout (a copy, or below the minimum): {k}")
            if mode == "rfc5424":
                if got not in cands:
                    fail(f"MSG differs from the stdout line of {k}")
                f = cands.pop(cands.index(got))
                check_rfc5424(rec, f, pid)
            else:
                f = cands.pop(0)
                check_cef(rec, f, pid)
            received_n += 1
    missing = [k for k, v in waiting.items() if v]
    if missing:
        fail(f"{total - received_n} of {total} findings never arrived, e.g. {missing[0]}")
    print(f"{mode}: {received_n} records match the {total} findings on stdout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
