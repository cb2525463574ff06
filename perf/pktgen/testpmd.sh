# shellcheck shell=bash
# dpdk-testpmd as a scriptable traffic generator / backend: each instance runs interactive (-i)
# with its stdin on a FIFO this shell holds open, stdout line-buffered into a log, so a script
# can send `start`, `stop`, `show port stats 0` and read each command's answer. Sourced by
# perf/pktgen/testpmd-sweep and tests/e2e/memif_generator_test.sh; defines functions only.
#
#   tp_start NAME DIR CGROUP|- EAL/testpmd args...   (-i is added; DIR holds NAME.in, NAME.log)
#   tp_cmd NAME COMMAND [TIMEOUT_S]                  prints the command's output
#   tp_wait_link NAME [TIMEOUT_S]                    until port 0 reports link up (memif connected)
#   tp_quit NAME / tp_quit_all                       `quit`, then SIGTERM/SIGKILL if it lingers
#   tp_field TEXT LABEL                              the number after "LABEL:" (last occurrence)

declare -gA TP_PID=() TP_FD=() TP_LOG=()

tp_start() {
  local name=$1 dir=$2 cg=$3; shift 3
  local fifo=$dir/$name.in log=$dir/$name.log fd
  rm -f "$fifo"; mkfifo "$fifo"
  exec {fd}<>"$fifo" # read-write: never blocks, and keeps a writer so testpmd never sees EOF
  TP_FD[$name]=$fd TP_LOG[$name]=$log
  local -a wrap=()
  # Join the cgroup before exec, so every thread testpmd creates is in it from the start.
  [[ $cg != - ]] && wrap=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg")
  # -oL: testpmd's printf output would otherwise sit in a 4 KiB stdio buffer behind the prompt.
  setsid "${wrap[@]}" stdbuf -oL dpdk-testpmd "$@" -i <"$fifo" >"$log" 2>&1 &
  TP_PID[$name]=$!
  local t
  for ((t = 0; t < 300; t++)); do # EAL init; 30 s is generous even on a loaded 2-vCPU VM
    [[ $(tail -c 9 "$log" 2>/dev/null) == "testpmd> " ]] && return 0
    kill -0 "${TP_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "testpmd $name did not reach its prompt; log:" >&2
  sed 's/^/  | /' "$log" >&2
  return 1
}

# The output between our command's echo and the next prompt.
tp_cmd() {
  local name=$1 cmd=$2 timeout=${3:-15} log=${TP_LOG[$1]} off t out
  off=$(stat -c %s "$log")
  printf '%s\n' "$cmd" >&"${TP_FD[$name]}"
  for ((t = 0; t < timeout * 20; t++)); do
    out=$(tail -c +$((off + 1)) "$log")
    if [[ ${#out} -gt ${#cmd} && $out == *"testpmd> " ]]; then
      printf '%s\n' "$out" | sed -e 's/\x1b\[[0-9;]*[a-zA-Z]//g' -e '$d'
      return 0
    fi
    kill -0 "${TP_PID[$name]}" 2>/dev/null || { echo "testpmd $name exited during '$cmd'" >&2; return 1; }
    sleep 0.05
  done
  echo "testpmd $name: no prompt within ${timeout}s after '$cmd'" >&2
  return 1
}

tp_wait_link() {
  local t
  for ((t = 0; t < ${2:-20} * 4; t++)); do
    tp_cmd "$1" "show port info 0" | grep -q 'Link status: up' && return 0
    sleep 0.25
  done
  echo "testpmd $1: port 0 link still down (memif not connected)" >&2
  return 1
}

tp_field() { grep -oE "$2: +[0-9]+" <<<"$1" | tail -1 | grep -oE '[0-9]+$'; }

tp_quit() {
  local name=$1 pid=${TP_PID[$1]:-} t
  [[ -n $pid ]] || return 0
  printf 'quit\n' >&"${TP_FD[$name]}" 2>/dev/null || true
  for ((t = 0; t < 50; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { kill -TERM "$pid" 2>/dev/null; sleep 1; kill -KILL "$pid" 2>/dev/null; }
  wait "$pid" 2>/dev/null || true
  local fd=${TP_FD[$name]}
  exec {fd}>&- 2>/dev/null || true
  unset "TP_PID[$name]"
}

tp_quit_all() {
  local n
  for n in "${!TP_PID[@]}"; do tp_quit "$n"; done
}
