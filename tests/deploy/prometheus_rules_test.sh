#!/usr/bin/env bash
# Property: deploy/prometheus's rule files are valid (promtool check rules) and each alert fires
# on the series that mean trouble and stays silent on healthy ones (promtool test rules: the
# cases in *_test.yml).
set -euo pipefail
dir=$1
command -v promtool >/dev/null || { echo "SKIP: promtool not found (scripts/setup installs Debian's prometheus)"; exit 77; }
mapfile -t rules < <(find "$dir" -maxdepth 1 -name '*.yml' ! -name '*_test.yml' | sort)
mapfile -t tests < <(find "$dir" -maxdepth 1 -name '*_test.yml' | sort)
((${#rules[@]} && ${#tests[@]})) || { echo "FAIL: no rule files or no tests in $dir"; exit 1; }
promtool check rules "${rules[@]}"
cd "$dir"
promtool test rules "${tests[@]##*/}"
