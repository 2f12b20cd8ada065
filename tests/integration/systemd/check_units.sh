#!/usr/bin/env bash
# The generated systemd units (cmake/AllowdriftInstall.cmake) as systemd itself judges them, offline:
#   - `systemd-analyze security --offline=true` rates each service 2.0 or lower (issue 7; reliability.md §3.1);
#   - `systemd-analyze verify` accepts all three units with no complaint at all (a misspelled option or a trailing
#     comment in a value is only a warning there, so any output fails the test). verify insists that ExecStart
#     names an executable, so it runs on copies that point at the built binary instead of the install path.
# usage: check_units.sh SYSTEMD_ANALYZE UNITS_DIR INSTALLED_BIN BUILT_BIN
set -euo pipefail
analyze=$1 units=$2 installed_bin=$3 built_bin=$4
max_exposure=2.0
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

for unit in allowdrift.service allowdrift-once.service allowdrift-once.timer; do
  [[ -f $units/$unit ]] || { fail "$units/$unit was not generated"; continue; }
  if grep -n '@[A-Z_]*@' "$units/$unit"; then fail "$unit: unsubstituted template variable"; fi
done

# The installed paths, as configured.
grep -qx "ExecStart=$installed_bin daemon" "$units/allowdrift.service" ||
  fail "allowdrift.service: ExecStart is not $installed_bin daemon"
grep -qx "ExecStartPre=$installed_bin check-config" "$units/allowdrift.service" || fail "allowdrift.service: no check-config in ExecStartPre"
grep -qx "ExecStart=$installed_bin --once" "$units/allowdrift-once.service" || fail "allowdrift-once.service: ExecStart is not $installed_bin --once"

for unit in allowdrift.service allowdrift-once.service; do
  out=$("$analyze" security --offline=true "$units/$unit" 2>&1) || true
  line=$(grep -o "Overall exposure level for $unit: [0-9.]*" <<<"$out" || true)
  if [[ -z $line ]]; then
    fail "$unit: no overall exposure level in:"$'\n'"$out"
    continue
  fi
  level=${line##* }
  echo "$unit: exposure $level (limit $max_exposure)"
  if ! awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l <= m) }'; then
    fail "$unit: exposure $level is over $max_exposure:"$'\n'"$(grep '✗' <<<"$out")"
  fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for unit in allowdrift.service allowdrift-once.service allowdrift-once.timer; do
  sed "s|$installed_bin|$built_bin|g" "$units/$unit" >"$scratch/$unit"
done
if ! out=$("$analyze" verify "$scratch/allowdrift.service" "$scratch/allowdrift-once.service" \
  "$scratch/allowdrift-once.timer" 2>&1); then
  fail "systemd-analyze verify failed:"$'\n'"$out"
elif [[ -n $out ]]; then
  fail "systemd-analyze verify complained:"$'\n'"$out"
else
  echo "systemd-analyze verify: no complaint"
fi
exit $status
