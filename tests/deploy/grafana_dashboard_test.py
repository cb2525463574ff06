#!/usr/bin/python3
"""Property: each dashboard in deploy/grafana/ is one Grafana can import as it is: valid JSON,
a uid and title, unique panel ids, panels inside the 24-column grid without overlapping, every
query target with a refId unique in its panel and an expression, every data source the
dashboard's ${datasource} variable (no uid of someone's Grafana), and every variable a query
uses defined."""

import glob
import json
import os
import re
import sys

GRAFANA_BUILTIN = {"__rate_interval", "__interval", "__range"}


def check(path):
    problems = []
    name = os.path.basename(path)
    with open(path) as f:
        dash = json.load(f)
    for key in ("uid", "title", "panels", "templating", "schemaVersion"):
        if key not in dash:
            problems.append(f"{name}: no {key}")
    variables = {v["name"] for v in dash.get("templating", {}).get("list", [])}
    if "datasource" not in variables:
        problems.append(f"{name}: no datasource variable")
    ids, cells = set(), {}
    for p in dash.get("panels", []):
        title = p.get("title", "?")
        if p.get("id") in ids:
            problems.append(f"{name}: panel id {p.get('id')} twice")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if g.get("x", 0) + g.get("w", 0) > 24:
            problems.append(f"{name}: {title!r} is wider than the grid")
        for dx in range(g.get("w", 0)):
            for dy in range(g.get("h", 0)):
                cell = (g["x"] + dx, g["y"] + dy)
                if cell in cells:
                    problems.append(f"{name}: {title!r} overlaps {cells[cell]!r}")
                    break
                cells[cell] = title
            else:
                continue
            break
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"{name}: {title!r} does not use the ${{datasource}} variable")
        targets = p.get("targets", [])
        if not targets:
            problems.append(f"{name}: {title!r} has no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            problems.append(f"{name}: {title!r} refIds {refs}")
        for t in targets:
            if not t.get("expr", "").strip():
                problems.append(f"{name}: {title!r} {t.get('refId')} has no expression")
            if t.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"{name}: {title!r} {t.get('refId')} does not use ${{datasource}}")
            for var in re.findall(r"\$\{?(\w+)", t.get("expr", "")):
                if var not in variables and var not in GRAFANA_BUILTIN:
                    problems.append(f"{name}: {title!r} uses undefined ${var}")
    return problems


def main():
    paths = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
    if not paths:
        print(f"FAIL: no dashboard in {sys.argv[1]}")
        return 1
    problems = [p for path in paths for p in check(path)]
    for p in problems:
        print("FAIL:", p)
    print(f"{len(paths)} dashboards checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
