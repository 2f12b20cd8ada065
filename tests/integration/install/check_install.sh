#!/usr/bin/env bash
# `cmake --install BUILD_DIR --prefix TMP` lays out the tree cmake/AllowdriftInstall.cmake describes, and the
# installed binary runs.
# usage: check_install.sh CMAKE BUILD_DIR SOURCE_DIR INSTALLED_BIN
set -euo pipefail
cmake=$1 build=$2 source=$3 installed_bin=$4
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 || { cat "$prefix.log" >&2; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"

[[ -x $prefix/bin/allowdrift ]] || fail "bin/allowdrift missing or not executable"
"$prefix/bin/allowdrift" --version | grep -q '^allowdrift ' || fail "the installed binary does not run"

for unit in allowdrift.service allowdrift-once.service allowdrift-once.timer; do
  [[ -f $prefix/lib/systemd/system/$unit ]] || fail "lib/systemd/system/$unit missing"
done
grep -qx "ExecStart=$installed_bin daemon" "$prefix/lib/systemd/system/allowdrift.service" ||
  fail "the installed unit does not start $installed_bin"

if [[ -f $source/config/allowdrift.toml ]]; then
  cmp -s "$source/config/allowdrift.toml" "$prefix/etc/allowdrift/allowdrift.toml.example" ||
    fail "etc/allowdrift/allowdrift.toml.example missing or not the shipped example"
  for f in "$source"/config/example/*; do
    cmp -s "$f" "$prefix/etc/allowdrift/example/$(basename "$f")" || fail "etc/allowdrift/example/$(basename "$f") missing"
  done
fi
[[ ! -e $prefix/etc/allowdrift/allowdrift.toml ]] || fail "an admin's etc/allowdrift/allowdrift.toml would be overwritten"

count() { find "$1" -maxdepth 1 -type f -name "$2" 2>/dev/null | wc -l; }
want=$(count "$source/config/presets" '*.toml')
got=$(count "$prefix/share/allowdrift/presets" '*.toml')
[[ $want -gt 0 && $got -eq $want ]] || fail "share/allowdrift/presets: $got presets, expected $want"
want=$(count "$source/migrations" '*.sql')
got=$(count "$prefix/share/allowdrift/migrations" '*.sql')
[[ $want -gt 0 && $got -eq $want ]] || fail "share/allowdrift/migrations: $got migrations, expected $want"
[[ -f $prefix/share/doc/allowdrift/README.md ]] || fail "share/doc/allowdrift/README.md missing"

if ((status == 0)); then
  echo "installed tree:"
  (cd "$prefix" && find . -type f | sort | sed 's|^\./|  |')
fi
exit $status
