#!/usr/bin/env bash
# Property: every PromQL expression of deploy/ (dashboard targets with Grafana's variables
# replaced, alert expressions) parses: each becomes a recording rule that promtool checks.
set -euo pipefail
deploy=$1 queries=$2
command -v promtool >/dev/null || { echo "SKIP: promtool not found (scripts/setup installs Debian's prometheus)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$queries" "$deploy" >"$work/rules.yml" <<'PY'
import json, subprocess, sys
out = subprocess.run(["/usr/bin/python3", sys.argv[1], sys.argv[2]], check=True,
                     capture_output=True, text=True).stdout.splitlines()
print("groups:\n  - name: deploy_queries\n    rules:")
for i, line in enumerate(out):
    q = json.loads(line)
    print(f"      - record: deploy_query_{i}  # {q['where']}")
    print(f"        expr: {json.dumps(q['expr'])}")
PY
n=$(grep -c 'record:' "$work/rules.yml")
((n > 20)) || { echo "FAIL: only $n expressions found under $deploy"; exit 1; }
promtool check rules "$work/rules.yml" || { cat -n "$work/rules.yml"; exit 1; }
echo "$n expressions parse"
