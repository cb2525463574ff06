#!/usr/bin/env bash
# Property: the Debian package builds from this tree with dpkg-buildpackage (only what it ships),
# lintian finds no error or warning, it installs with dpkg, its unit passes
# `systemd-analyze verify`, and the installed `sluiced --check` accepts the shipped
# /etc/sluice/sluice.yaml (a conffile). It is purged afterwards, so /usr/sbin never holds a
# sluiced that another test could pick up instead of the build tree's.
# Needs root; skipped where dpkg-buildpackage is absent. Prints each phase's wall time.
set -euo pipefail
name=debian_package
skip() { echo "SKIP $name: $*"; exit 77; }
fail() { echo "FAIL $name: $*" >&2; exit 1; }

command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed (scripts/setup installs it)"
((EUID == 0)) || skip "needs root to install the package"
if dpkg-query -W -f='${Status}' sluice 2>/dev/null | grep -q 'ok installed'; then
  skip "a sluice package is installed on this machine already; the test would replace and purge it"
fi
for tool in lintian systemd-analyze; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup installs it)"
done

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "/tmp/$name.XXXXXX")
installed=false
cleanup() {
  local rc=$?
  if $installed; then dpkg --purge sluice >"$work/purge.log" 2>&1 || cat "$work/purge.log" >&2; fi
  # SLUICE_PACKAGE_TEST_KEEP=1 keeps the built package and the logs to look at.
  if [[ ${SLUICE_PACKAGE_TEST_KEEP:-} == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT

# phase NAME CMD...: runs CMD with its output in $work/NAME.log (shown on failure), timed.
phase() {
  local phase_name=$1 start=$SECONDS; shift
  if ! "$@" >"$work/$phase_name.log" 2>&1; then
    tail -n 60 "$work/$phase_name.log" >&2
    fail "$phase_name failed: $*"
  fi
  echo "$phase_name: $((SECONDS - start)) s"
}

# dpkg-buildpackage builds in the source tree and writes the .debs beside it: a copy of the
# tree's files (committed or not, not ignored) keeps the checkout and its build/ clean.
mkdir "$work/sluice"
copy_tree() {
  if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard |
      tar -C "$root" --null -T - --ignore-failed-read -cf - | tar -C "$work/sluice" -xf -
  else
    tar -C "$root" --exclude-vcs --exclude='./build*' -cf - . | tar -C "$work/sluice" -xf -
  fi
}
phase copy copy_tree
# noddebs: no debug-symbol package, so no debug information to compile either (dh_strip takes it
# out of the shipped binaries anyway): CI time goes to what the package ships.
build() {
  (cd "$work/sluice" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" DEB_CXXFLAGS_STRIP=-g \
    dpkg-buildpackage -b -uc -us)
}
phase dpkg-buildpackage build

deb=$(ls "$work"/sluice_*_amd64.deb)
changes=$(ls "$work"/sluice_*_amd64.changes)
phase lintian lintian --fail-on error,warning "$changes"
# Informational tags are shown, not failed on: each is either fixed or overridden with a reason.
sed -n 's/^I: /  lintian info: /p' "$work/lintian.log"

dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
for path in ./usr/sbin/sluiced ./usr/sbin/sluicectl ./lib/systemd/system/sluiced.service \
  ./etc/sluice/sluice.yaml ./usr/share/man/man8/sluiced.8.gz ./usr/share/man/man8/sluicectl.8.gz \
  ./usr/share/man/man5/sluice.yaml.5.gz ./usr/share/bash-completion/completions/sluicectl \
  ./usr/share/doc/sluice/config-reference.md; do
  grep -qx "$path" "$work/contents" || fail "the package lacks $path"
done
if grep -Eq '_test$|sluice-bench|/perf/' "$work/contents"; then
  fail "the package ships tests or benchmarks: $(grep -E '_test$|sluice-bench|/perf/' "$work/contents" | head -3)"
fi
[[ $(dpkg-deb -f "$deb" Package) == sluice ]] || fail "package name is not sluice"
dpkg-deb --info "$deb" conffiles | grep -qx /etc/sluice/sluice.yaml ||
  fail "/etc/sluice/sluice.yaml is not a conffile"

installed=true
phase install dpkg -i "$deb"

out=$(systemd-analyze verify /lib/systemd/system/sluiced.service 2>&1) ||
  fail "systemd-analyze verify failed: $out"
[[ -z $out ]] || fail "systemd-analyze verify is not clean: $out"
echo "systemd-analyze verify: clean"

out=$(/usr/sbin/sluiced --config /etc/sluice/sluice.yaml --check 2>&1) ||
  fail "the installed sluiced rejects the shipped config: $out"
[[ $out == "/etc/sluice/sluice.yaml: valid" ]] || fail "unexpected --check output: $out"
echo "$out"
[[ $(stat -c %a /etc/sluice/sluice.yaml) == 640 ]] || fail "/etc/sluice/sluice.yaml is not mode 0640"

# The installed completion loads in a plain bash and completes the commands.
completed=$(bash -c 'source /usr/share/bash-completion/completions/sluicectl
  COMP_WORDS=(sluicectl re); COMP_CWORD=1; _sluicectl; echo "${COMPREPLY[*]}"')
[[ $completed == reload ]] || fail "bash completion of 'sluicectl re' gave '$completed'"

# Not enabled, not started: the example config names NICs this machine does not have.
[[ ! -e /etc/systemd/system/multi-user.target.wants/sluiced.service ]] ||
  fail "the package enabled sluiced.service at installation"

phase purge dpkg --purge sluice
installed=false
for path in /usr/sbin/sluiced /usr/sbin/sluicectl /etc/sluice /lib/systemd/system/sluiced.service; do
  [[ ! -e $path ]] || fail "$path is left after purge"
done
echo "PASS $name"
