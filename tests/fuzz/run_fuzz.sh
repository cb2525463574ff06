#!/bin/sh
# Runs a libFuzzer target for a bounded time over a throw-away copy of its seed corpus, so the
# repository is never written to. Crash reproducers are kept in ARTIFACT_DIR.
#   run_fuzz.sh FUZZER SEED_DIR ARTIFACT_DIR SECONDS [libFuzzer flags...]
set -eu
fuzzer=$1 seeds=$2 artifacts=$3 seconds=$4
shift 4

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
cp -R "$seeds"/. "$work/corpus/"

"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$@" "$work/corpus"
