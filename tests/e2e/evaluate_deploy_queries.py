#!/usr/bin/python3
"""Evaluates every PromQL expression of deploy/ (tests/support/deploy_queries.py) against a
running Prometheus and prints one line per problem; exits 1 if there is any.

- A dashboard query must evaluate and return at least one series.
- An alert expression must evaluate; it compares to a threshold, so it returns series only while
  the alert would fire: each sluice_* selector in it must return series instead.
- Every sluice_* metric an expression names must be in the scraped exposition (METRICS_FILE).

usage: evaluate_deploy_queries.py PROMETHEUS_URL DEPLOY_DIR METRICS_FILE
"""

import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

QUERIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                       "deploy_queries.py")
NAME = re.compile(r"\bsluice_[a-z0-9_]+")


def query(prom, expr):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:  # 400: a parse or evaluation error, explained
        body = json.load(e)
    if body.get("status") != "success":
        return None, body.get("error", "no error given")
    return body["data"]["result"], None


def selectors(expr):
    out = subprocess.run(["/usr/bin/python3", QUERIES, "selectors", expr], check=True,
                         capture_output=True, text=True).stdout
    return out.split()


def main():
    prom, deploy, metrics_file = sys.argv[1], sys.argv[2], sys.argv[3]
    exported = set()
    for line in open(metrics_file):
        if line and not line.startswith("#"):
            exported.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    problems, checked = [], 0
    lines = subprocess.run(["/usr/bin/python3", QUERIES, deploy], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    for line in lines:
        q = json.loads(line)
        where, expr = q["where"], q["expr"]
        names = set(NAME.findall(expr))
        missing = names - exported
        if missing:
            problems.append(f"{where}: {', '.join(sorted(missing))} not in sluiced's /metrics")
            continue
        result, error = query(prom, expr)
        if error:
            problems.append(f"{where}: {error}")
            continue
        if q["source"] == "dashboard":
            if not result:
                problems.append(f"{where}: no series: {expr}")
        else:
            for sel in selectors(expr):
                series, error = query(prom, sel)
                if error or not series:
                    problems.append(f"{where}: {sel} returns no series ({error or 'empty'})")
        checked += 1
    for p in problems:
        print("problem:", p)
    print(f"{checked} expressions return series, {len(problems)} problems")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
