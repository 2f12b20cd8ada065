#!/usr/bin/env bash
# Compares `allowdrift diff --only missing P A` with `iprange P --except A` on two generated 1M-prefix IPv4 lists:
# wall time and peak RSS of each (GNU time), the ratios allowdrift/iprange against the targets, and a check that
# both print the same address set. Then times allowdrift alone on 1M-prefix IPv6 lists (iprange is IPv4-only).
#
# Exit status: 0 when both tools print the same set, 1 when they differ or a tool fails, 2 on a setup problem.
# Missing a performance target prints FAIL but does not change the exit status.
#
# Environment:
#   ALLOWDRIFT_BIN        allowdrift binary       (default: build/release/daemon/allowdrift under the repo root)
#   ALLOWDRIFT_BENCH_GEN  the list generator      (default: build/release/bench/allowdrift_bench_gen)
#   BENCH_COUNT           prefixes per list       (default: 1000000)
#   BENCH_SEED            generator seed          (default: 1)
#   BENCH_RUNS            timed runs per tool     (default: 3; the median is reported, the best beside it)
#   BENCH_TMPDIR          where the lists go      (default: mktemp -d; removed on exit)
set -euo pipefail

script=compare_iprange.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
allowdrift=${ALLOWDRIFT_BIN:-$repo_root/build/release/daemon/allowdrift}
gen=${ALLOWDRIFT_BENCH_GEN:-$repo_root/build/release/bench/allowdrift_bench_gen}
count=${BENCH_COUNT:-1000000}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}

# Targets: allowdrift at most half of iprange's wall time, at most twice its peak RSS.
readonly wall_target=0.5
readonly rss_target=2.0


for bin in "$allowdrift" "$gen"; do
  [[ -x $bin ]] || die "$bin is not an executable; build Release first (see bench/README.md)"
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

# --- tools: install iprange and GNU time only when missing ----------------------------------------------------------
missing_pkgs=()
command -v iprange >/dev/null 2>&1 || missing_pkgs+=(iprange)
[[ -x /usr/bin/time ]] || missing_pkgs+=(time)
install_packages "${missing_pkgs[@]}"

make_tmp

# --- helpers ----------------------------------------------------------------------------------------------------------

# timed LABEL OUT CMD...: runs CMD with stdout to OUT under GNU time and appends "wall_s rss_kib cpu_s" to
# $tmp/LABEL.times (cpu = user + system: less disturbed than wall time when other jobs share the machine).
# allowdrift exits 1 when something differs, so exit statuses 0 and 1 are success; anything else stops the script.
timed() {
  local label=$1 out=$2
  shift 2
  local rc=0
  /usr/bin/time -f '%e %M %U %S' -o "$tmp/$label.time" "$@" >"$out" 2>"$tmp/$label.stderr" || rc=$?
  if ((rc > 1)); then
    echo "compare_iprange.sh: '$*' failed with status $rc:" >&2
    head -20 "$tmp/$label.stderr" >&2
    exit 1
  fi
  # On a non-zero status GNU time writes "Command exited with non-zero status N" first; the figures are last.
  tail -n 1 "$tmp/$label.time" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' >>"$tmp/$label.times"
}


machine_line "$(iprange --version 2>&1 | head -n 1)"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min) at start; other jobs on the machine skew wall times"
echo "lists:   $count prefixes each, seed $seed; $runs timed runs per tool after one warm-up run"
echo

# --- IPv4: allowdrift against iprange ----------------------------------------------------------------------------------
"$gen" --family 4 --count "$count" --seed "$seed" >"$tmp/P4"
"$gen" --family 4 --count "$count" --seed "$seed" --local >"$tmp/A4"

ad_cmd=("$allowdrift" diff --only missing "$tmp/P4" "$tmp/A4")
ip_cmd=(iprange "$tmp/P4" --except "$tmp/A4")

# One untimed warm-up run of each (page cache, dynamic loader), then the timed runs, interleaved so that both tools
# see the same machine conditions.
timed warmup_ad "$tmp/ad4.out" "${ad_cmd[@]}"
timed warmup_ip "$tmp/ip4.out" "${ip_cmd[@]}"
for ((i = 0; i < runs; ++i)); do
  timed ad4 "$tmp/ad4.out" "${ad_cmd[@]}"
  timed ip4 "$tmp/ip4.out" "${ip_cmd[@]}"
done

# Output equality. Both tools print the set P \ A as CIDR blocks, ascending, but need not write them alike: iprange
# writes a single host as "a.b.c.d" where allowdrift writes "a.b.c.d/32", and two correct tools could in principle
# split the same set into different blocks. So the comparison is on the address set itself:
#   1. every line of both outputs must be an IPv4 address or a.b.c.d/len (iprange would otherwise skip or even
#      DNS-resolve a garbage line in step 2 and hide it);
#   2. each output is fed back through `iprange --print-ranges`, which merges any list of blocks into the sorted
#      list of maximal disjoint, non-adjacent ranges: the one canonical form a set has, so two outputs hold the same
#      set exactly when these range lists are byte-identical. (`iprange -1`, one line per address, would be canonical
#      too, but the missing set can hold whole /8s: billions of lines.)
# As information only, the script also reports whether the CIDR lists are identical as text once iprange's bare
# hosts get their "/32": the minimal CIDR cover of a set is unique, so two minimal outputs should match exactly.
same=true
ipv4_line='^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(/([0-9]|[12][0-9]|3[0-2]))?$'
for tool in ad4 ip4; do
  nbad=$(grep -Evc "$ipv4_line" "$tmp/$tool.out" || true)
  if ((nbad > 0)); then
    echo "$tool: $nbad output lines are not IPv4 blocks, e.g.:" >&2
    { grep -Ev "$ipv4_line" "$tmp/$tool.out" || true; } | head -n 5 >&2
    same=false
  fi
done
iprange --print-ranges "$tmp/ad4.out" >"$tmp/ad4.ranges"
iprange --print-ranges "$tmp/ip4.out" >"$tmp/ip4.ranges"
if ! cmp -s "$tmp/ad4.ranges" "$tmp/ip4.ranges"; then
  echo "the two tools print different address sets (as ranges: < allowdrift, > iprange):" >&2
  diff "$tmp/ad4.ranges" "$tmp/ip4.ranges" | head -n 20 >&2 || true
  same=false
fi
if sed -E 's#^([0-9.]+)$#\1/32#' "$tmp/ip4.out" | cmp -s - "$tmp/ad4.out"; then
  cidr_text="identical"
else
  cidr_text="different (the sets are compared above)"
fi

ad_wall=$(median "$tmp/ad4.times" 1)
ip_wall=$(median "$tmp/ip4.times" 1)
ad_rss=$(median "$tmp/ad4.times" 2)
ip_rss=$(median "$tmp/ip4.times" 2)
ad_cpu=$(median "$tmp/ad4.times" 3)
ip_cpu=$(median "$tmp/ip4.times" 3)
wall_ratio=$(ratio "$ad_wall" "$ip_wall")
rss_ratio=$(ratio "$ad_rss" "$ip_rss")

row() { printf '  %-40s %12s %11s %11s %13s\n' "$@"; }
echo "IPv4: P minus A ($(wc -l <"$tmp/P4") and $(wc -l <"$tmp/A4") lines in, $(wc -l <"$tmp/ad4.out") blocks out)"
row "command" "wall s med" "wall s best" "CPU s med" "peak RSS KiB"
row "allowdrift diff --only missing P4 A4" "$ad_wall" "$(best "$tmp/ad4.times" 1)" "$ad_cpu" "$ad_rss"
row "iprange P4 --except A4" "$ip_wall" "$(best "$tmp/ip4.times" 1)" "$ip_cpu" "$ip_rss"
row "ratio allowdrift/iprange" "$wall_ratio" "" "$(ratio "$ad_cpu" "$ip_cpu")" "$rss_ratio"
echo "  target wall ratio <= $wall_target: $(at_most "$wall_ratio" "$wall_target")"
echo "  target RSS ratio  <= $rss_target: $(at_most "$rss_ratio" "$rss_target")"
echo "  same address set: $([[ $same == true ]] && echo yes || echo NO); CIDR text: $cidr_text"
echo

# --- IPv6: allowdrift alone -------------------------------------------------------------------------------------------
"$gen" --family 6 --count "$count" --seed "$seed" >"$tmp/P6"
"$gen" --family 6 --count "$count" --seed "$seed" --local >"$tmp/A6"
ad6_cmd=("$allowdrift" diff --only missing "$tmp/P6" "$tmp/A6")
timed warmup_ad6 "$tmp/ad6.out" "${ad6_cmd[@]}"
for ((i = 0; i < runs; ++i)); do timed ad6 "$tmp/ad6.out" "${ad6_cmd[@]}"; done

echo "IPv6: P minus A ($(wc -l <"$tmp/P6") and $(wc -l <"$tmp/A6") lines in, $(wc -l <"$tmp/ad6.out") blocks out)"
row "command" "wall s med" "wall s best" "CPU s med" "peak RSS KiB"
row "allowdrift diff --only missing P6 A6" "$(median "$tmp/ad6.times" 1)" "$(best "$tmp/ad6.times" 1)" \
  "$(median "$tmp/ad6.times" 3)" "$(median "$tmp/ad6.times" 2)"
echo "  (no reference: iprange is IPv4-only)"

if [[ $same != true ]]; then
  echo "FAILED: allowdrift and iprange disagree on P minus A" >&2
  exit 1
fi
