#!/usr/bin/env bash
# Times `allowdrift allowlist ufw:FILE` on the 3 MB real ufw user.rules (28,106 rules) next to
# `iptables-restore --test FILE` on the same file in the same run: wall time, CPU and peak RSS (GNU time). The
# restore runs inside `unshare --net` (it builds the ruleset against the kernel's netfilter, which a fresh network
# namespace gives it without touching the host's); so does allowdrift, for symmetry. `iptables-legacy-restore
# --test` is timed too when installed.
#
# Exit status: 0 when every command succeeded, 1 when one failed, 2 on a setup problem (needs root for unshare).
# The target (allowdrift's wall time well under iptables-restore's: ratio <= 0.5) prints PASS or FAIL only.
#
# Environment:
#   ALLOWDRIFT_BIN  allowdrift binary  (default: build/release/daemon/allowdrift under the repo root)
#   BENCH_UFW_FILE  the rules file     (default: tests/data/localfw/ufw/ufw-user.rules-ip-ir-large-outbound-deny.rules)
#   BENCH_RUNS      timed runs each    (default: 5; the median is reported, the best beside it)
#   BENCH_TMPDIR    scratch directory  (default: mktemp -d; removed on exit)
set -euo pipefail

script=ufw_parse.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
allowdrift=${ALLOWDRIFT_BIN:-$repo_root/build/release/daemon/allowdrift}
file=${BENCH_UFW_FILE:-$repo_root/tests/data/localfw/ufw/ufw-user.rules-ip-ir-large-outbound-deny.rules}
runs=${BENCH_RUNS:-5}
readonly wall_target=0.5

[[ -x $allowdrift ]] || die "$allowdrift is not an executable; build Release first (see bench/README.md)"
[[ -r $file ]] || die "cannot read $file"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
((EUID == 0)) || die "needs root: iptables-restore runs in a private network namespace (unshare --net)"

missing_pkgs=()
command -v iptables-restore >/dev/null 2>&1 || missing_pkgs+=(iptables)
command -v unshare >/dev/null 2>&1 || missing_pkgs+=(util-linux)
[[ -x /usr/bin/time ]] || missing_pkgs+=(time)
install_packages "${missing_pkgs[@]}"

make_tmp

# timed LABEL CMD...: runs CMD in a new network namespace under GNU time; appends "wall_s rss_kib cpu_s" to
# $tmp/LABEL.times. Any failure stops the script (exit 1).
timed() {
  local label=$1
  shift
  if ! unshare --net -- /usr/bin/time -f '%e %M %U %S' -o "$tmp/$label.time" "$@" >"$tmp/$label.out" \
    2>"$tmp/$label.err"; then
    echo "$script: '$*' failed:" >&2
    head -20 "$tmp/$label.err" >&2
    exit 1
  fi
  tail -n 1 "$tmp/$label.time" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' >>"$tmp/$label.times"
}

labels=(allowdrift restore)
declare -A commands names
commands[allowdrift]="$allowdrift allowlist ufw:$file"
names[allowdrift]="allowdrift allowlist ufw:FILE"
commands[restore]="iptables-restore --test $file"
names[restore]="iptables-restore --test FILE"
if command -v iptables-legacy-restore >/dev/null 2>&1; then
  labels+=(legacy)
  commands[legacy]="iptables-legacy-restore --test $file"
  names[legacy]="iptables-legacy-restore --test FILE"
fi

machine_line "$(iptables-restore --version 2>&1 | head -n 1)"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min) at start"
echo "file:    $file ($(wc -c <"$file") bytes, $(grep -c '^-[AI] ' "$file") rules)"
echo "runs:    $runs timed runs per command after one warm-up run, interleaved"
echo

for label in "${labels[@]}"; do
  # shellcheck disable=SC2086 # the command strings are split on purpose (no spaces in the paths used here)
  timed "warmup_$label" ${commands[$label]}
done
for ((i = 0; i < runs; ++i)); do
  for label in "${labels[@]}"; do
    # shellcheck disable=SC2086
    timed "$label" ${commands[$label]}
  done
done

row() { printf '  %-38s %10s %11s %9s %13s\n' "$@"; }
row "command" "wall s med" "wall s best" "CPU s med" "peak RSS KiB"
for label in "${labels[@]}"; do
  row "${names[$label]}" "$(median "$tmp/$label.times" 1)" "$(best "$tmp/$label.times" 1)" \
    "$(median "$tmp/$label.times" 3)" "$(median "$tmp/$label.times" 2)"
done
wall_ratio=$(ratio "$(median "$tmp/allowdrift.times" 1)" "$(median "$tmp/restore.times" 1)")
rss_ratio=$(ratio "$(median "$tmp/allowdrift.times" 2)" "$(median "$tmp/restore.times" 2)")
echo "  ratio allowdrift/iptables-restore: wall $wall_ratio, CPU $(ratio "$(median "$tmp/allowdrift.times" 3)" \
  "$(median "$tmp/restore.times" 3)"), peak RSS $rss_ratio"
echo "  target wall ratio <= $wall_target: $(at_most "$wall_ratio" "$wall_target")"
echo "  allowdrift printed $(wc -l <"$tmp/allowdrift.out") allowlist lines and $(wc -l <"$tmp/allowdrift.err") warning lines"
