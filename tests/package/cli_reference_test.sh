#!/usr/bin/env bash
# Property: what an installation documents and completes follows the real command lines. Every
# command and long option that `sluicectl --help` prints is offered by the bash completion and
# named in sluicectl(8); every long option of `sluiced --help` is in sluiced(8); every key of the
# config reference (config/README.md's tables) is in sluice.yaml(5).
# Arguments: SLUICED SLUICECTL SOURCE_ROOT.
set -euo pipefail
sluiced=$1 sluicectl=$2 root=$3
fail() { echo "FAIL cli_reference: $*" >&2; exit 1; }
man=$root/docs/man
completion=$root/deploy/bash-completion/sluicectl

help=$("$sluicectl" --help)
# boost::program_options prints "  -x [ --long ] arg" or "  --long arg"; --command is the
# positional COMMAND, not an option anyone types.
options=$(grep -oE '^  (-[a-zA-Z] \[ )?--[a-z-]+' <<<"$help" | grep -oE -- '--[a-z-]+' | grep -vx -- --command | sort -u)
commands=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | grep -oE '^  [a-z]+' | tr -d ' ' | sort -u)
[[ $(wc -l <<<"$options") -ge 20 && $(wc -l <<<"$commands") -ge 5 ]] ||
  fail "could not read sluicectl's options and commands from --help:"$'\n'"$help"

# complete WORDS...: what the completion offers for the last (partial) word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sluicectl; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$completion" "$@"
}
offered=$( (complete_words sluicectl ''; complete_words sluicectl --; complete_words sluicectl list --
  complete_words sluicectl conns --; complete_words sluicectl stats --
  complete_words sluicectl trace --) | sort -u)
for w in $commands $options; do
  grep -qx -- "$w" <<<"$offered" || fail "the bash completion never offers '$w' (sluicectl --help has it)"
  # In bold, alone or starting a bold phrase ("*acl list*").
  grep -qE -- "\*$w[* ]" "$man/sluicectl.8.scd" || fail "sluicectl(8) does not document '$w'"
done
[[ $(complete_words sluicectl acl '') == list ]] || fail "the completion of 'sluicectl acl' is not 'list'"
[[ $(complete_words sluicectl lookup '' | tr '\n' ' ') == "tcp udp " ]] ||
  fail "the completion of 'sluicectl lookup' is not the protocols"
[[ $(complete_words sluicectl -A -s wr) == wrr && $(complete_words sluicectl --forwarding f) == fnat ]] ||
  fail "the completion does not offer schedulers and forwarding modes"

for w in $("$sluiced" --help | grep -oE '^  (-[a-zA-Z] \[ )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
  grep -qF -- "*$w*" "$man/sluiced.8.scd" || fail "sluiced(8) does not document '$w'"
done

# First cells of config/README.md's key tables, e.g. "`max_services` / `max_backends`",
# "`rules[].src` / `dst`", "`l2.garp_count`": each key name must appear in sluice.yaml(5).
keys=$(grep -E '^\| `' "$root/config/README.md" | cut -d'|' -f2 | grep -oE '`[^`]+`' | tr -d '`' |
  tr '.' '\n' | sed 's/\[\]//g' | sort -u)
[[ $(wc -l <<<"$keys") -ge 60 ]] || fail "could not read the keys of config/README.md"
for k in $keys; do
  grep -qwF -- "$k" "$man/sluice.yaml.5.scd" || fail "sluice.yaml(5) does not name the key '$k' (config/README.md has it)"
done
echo "PASS cli_reference"
