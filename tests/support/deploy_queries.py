#!/usr/bin/python3
"""Every PromQL expression of deploy/: the Grafana dashboards' targets (Grafana's variables
replaced as Grafana would: $__rate_interval by --rate-interval, $instance by ".+", the "All"
value) and the alerting rules' expressions. One JSON object per line:
  {"source": "dashboard|alert", "where": "<file>: <panel or alert>", "expr": "..."}
Also: `selectors EXPR` prints the sluice_* vector selectors of an expression, one per line
(what must return series for an expression that compares them to a threshold).

Usage: deploy_queries.py [--rate-interval 1m] DEPLOY_DIR
       deploy_queries.py selectors EXPR
"""

import argparse
import glob
import json
import os
import re
import sys

import yaml  # Debian's python3-yaml

# A metric name, its label matchers if any (matcher values hold no braces in deploy/).
SELECTOR = re.compile(r'\bsluice_[a-z0-9_]+(?:\{[^{}]*\})?')


def dashboard_queries(path, rate_interval):
    with open(path) as f:
        dash = json.load(f)
    name = os.path.basename(path)
    for panel in dash.get("panels", []):
        for t in panel.get("targets", []):
            expr = t["expr"].replace("$__rate_interval", rate_interval)
            expr = expr.replace("${instance}", ".+").replace("$instance", ".+")
            if "$" in expr:
                raise SystemExit(f"{name}: panel {panel['title']!r} {t['refId']}: an unknown "
                                 f"variable in {t['expr']!r}")
            yield {"source": "dashboard", "where": f"{name}: {panel['title']} ({t['refId']})",
                   "expr": expr}


def alert_expressions(path):
    with open(path) as f:
        rules = yaml.safe_load(f)
    name = os.path.basename(path)
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                yield {"source": "alert", "where": f"{name}: {rule['alert']}",
                       "expr": rule["expr"].strip()}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "selectors":
        for s in dict.fromkeys(SELECTOR.findall(sys.argv[2])):
            print(s)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate-interval", default="1m")
    ap.add_argument("deploy_dir")
    a = ap.parse_args()
    found = 0
    for path in sorted(glob.glob(os.path.join(a.deploy_dir, "grafana", "*.json"))):
        for q in dashboard_queries(path, a.rate_interval):
            print(json.dumps(q))
            found += 1
    for path in sorted(glob.glob(os.path.join(a.deploy_dir, "prometheus", "*.yml"))):
        if path.endswith("_test.yml"):
            continue
        for q in alert_expressions(path):
            print(json.dumps(q))
            found += 1
    if not found:
        raise SystemExit(f"no dashboard query or alert expression under {a.deploy_dir}")


if __name__ == "__main__":
    main()
