#!/usr/bin/env bash
# Property: everything exception_path_test.sh checks also holds with two workers (af_packet
# qpairs=2), each reading and writing its own queue of every tap.
EXC_WORKERS=2 SL_PREFIX=sle2e-exc2 exec "$(dirname "$0")/exception_path_test.sh"
