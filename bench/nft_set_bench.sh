#!/usr/bin/env bash
# Reads a live nftables interval set of 100k elements two ways, in one run, in a fresh network namespace (the
# host's firewall is never touched): `nft -j list set` alone, and `allowdrift allowlist nft:...` (a netlink dump
# with libnftnl, parsing, normalizing and printing the minimal CIDR list included). Prints wall time, peak RSS and
# CPU time of each (GNU time; the median of BENCH_RUNS runs after one warm-up run, the two interleaved), the ratios
# allowdrift/nft against the targets, and checks that both read exactly the generated set.
#
# The set: BENCH_COUNT random prefixes /24 to /32 (seeded awk rand()), each inside its own even-numbered /24, so no
# two overlap or touch and the minimal CIDR list of the set is the generated list itself, sorted.
#
# Needs root (network namespace, CAP_NET_ADMIN). Exit status: 0 when both read the generated set, 1 when one
# differs or a tool fails, 2 on a setup problem. Missing a performance target prints FAIL but does not change the
# exit status.
#
# Environment:
#   ALLOWDRIFT_BIN   allowdrift binary       (default: build/release/daemon/allowdrift under the repo root)
#   BENCH_COUNT      elements in the set     (default: 100000)
#   BENCH_SEED       generator seed          (default: 1)
#   BENCH_RUNS       timed runs per tool     (default: 3; the median is reported, the best beside it)
#   BENCH_TMPDIR     where files go          (default: mktemp -d; removed on exit)
set -euo pipefail

script=nft_set_bench.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
allowdrift=${ALLOWDRIFT_BIN:-$repo_root/build/release/daemon/allowdrift}
count=${BENCH_COUNT:-100000}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}

# Targets (issue 6): allowdrift at most nft -j's wall time, at most half its peak RSS.
readonly wall_target=1.0
readonly rss_target=0.5

((EUID == 0)) || die "run as root: the benchmark creates a network namespace and loads a ruleset into it"
[[ -x $allowdrift ]] || die "$allowdrift is not an executable; build Release first (see bench/README.md)"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $count =~ ^[1-9][0-9]*$ && $count -le 4000000 ]] || die "BENCH_COUNT must be between 1 and 4000000"

# --- tools: install nft, jq and GNU time only when missing ----------------------------------------------------------
missing_pkgs=()
command -v nft >/dev/null 2>&1 || missing_pkgs+=(nftables)
command -v jq >/dev/null 2>&1 || missing_pkgs+=(jq)
[[ -x /usr/bin/time ]] || missing_pkgs+=(time)
install_packages "${missing_pkgs[@]}"

# Everything below runs in a private network namespace: re-run this script under unshare once.
if [[ -z ${NFT_BENCH_IN_NETNS:-} ]]; then
  exec unshare --net env NFT_BENCH_IN_NETNS=1 "$0" "$@"
fi

make_tmp

# --- the set ------------------------------------------------------------------------------------------------------------
# 2^23 even /24s to draw from; duplicates are dropped, so a few more are drawn than needed.
awk -v n="$count" -v seed="$seed" 'BEGIN {
  srand(seed)
  while (kept < n) {
    block = int(rand() * 8388608) * 2            # an even /24: its odd neighbours are never used
    if (block in seen) continue
    seen[block] = 1
    len = 24 + int(rand() * 9)
    size = 2 ^ (32 - len)
    offset = int(rand() * (256 / size)) * size   # an aligned prefix inside the /24
    a = block * 256 + offset
    printf "%d.%d.%d.%d/%d\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256, len
    ++kept
  }
}' >"$tmp/prefixes"
sort -t . -k1,1n -k2,2n -k3,3n -k4,4n "$tmp/prefixes" >"$tmp/expected"
{
  echo "table ip bench {"
  echo "  set s {"
  echo "    type ipv4_addr; flags interval;"
  echo "    elements = {"
  sed 's/$/,/' "$tmp/prefixes"
  echo "    }"
  echo "  }"
  echo "}"
} >"$tmp/set.nft"
load_start=$(date +%s.%N)
nft -f "$tmp/set.nft" || die "nft -f failed to load the generated set"
load_s=$(awk -v a="$load_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')

# --- helpers ----------------------------------------------------------------------------------------------------------

# timed LABEL OUT CMD...: runs CMD with stdout to OUT under GNU time and appends "wall_s rss_kib cpu_s" to
# $tmp/LABEL.times. Any non-zero exit status stops the script.
timed() {
  local label=$1 out=$2
  shift 2
  if ! /usr/bin/time -f '%e %M %U %S' -o "$tmp/$label.time" "$@" >"$out" 2>"$tmp/$label.stderr"; then
    echo "$script: '$*' failed:" >&2
    head -20 "$tmp/$label.stderr" >&2
    exit 1
  fi
  tail -n 1 "$tmp/$label.time" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' >>"$tmp/$label.times"
}

machine_line "$(nft --version), $(uname -sr)"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min) at start; other jobs on the machine skew wall times"
echo "set:     $count ipv4 interval elements (/24 to /32, none adjacent), seed $seed, loaded with nft -f in ${load_s} s"
echo "runs:    $runs timed runs per tool after one warm-up run, interleaved"
echo

nft_cmd=(nft -j list set ip bench s)
ad_cmd=("$allowdrift" allowlist nft:ip/bench/s)
timed warmup_nft "$tmp/nft.json" "${nft_cmd[@]}"
timed warmup_ad "$tmp/ad.out" "${ad_cmd[@]}"
for ((i = 0; i < runs; ++i)); do
  timed nft "$tmp/nft.json" "${nft_cmd[@]}"
  timed ad "$tmp/ad.out" "${ad_cmd[@]}"
done

# --- both must hold exactly the generated set -------------------------------------------------------------------------
# nft's JSON, independently of allowdrift's parser: a single address is a string (a /32), a prefix {"prefix":
# {"addr", "len"}}; anything else (a range: the kernel merged two elements) is an error here, since none touch.
same=true
if ! jq -r '.nftables[] | select(.set) | .set.elem[]? |
      if type == "string" then . + "/32"
      elif type == "object" and has("prefix") then "\(.prefix.addr)/\(.prefix.len)"
      else error("unexpected element \(.)") end' "$tmp/nft.json" >"$tmp/nft.list"; then
  echo "$script: nft -j printed an element that is neither an address nor a prefix" >&2
  same=false
fi
sort -t . -k1,1n -k2,2n -k3,3n -k4,4n "$tmp/nft.list" >"$tmp/nft.sorted"
# allowdrift prints the minimal CIDR list, ascending; a single address as a.b.c.d/32.
for tool in nft.sorted ad.out; do
  if ! cmp -s "$tmp/expected" "$tmp/$tool"; then
    echo "$script: ${tool%%.*} did not read the generated set (< expected, > read):" >&2
    diff "$tmp/expected" "$tmp/$tool" | head -n 10 >&2 || true
    same=false
  fi
done

nft_wall=$(median "$tmp/nft.times" 1)
ad_wall=$(median "$tmp/ad.times" 1)
nft_rss=$(median "$tmp/nft.times" 2)
ad_rss=$(median "$tmp/ad.times" 2)
nft_cpu=$(median "$tmp/nft.times" 3)
ad_cpu=$(median "$tmp/ad.times" 3)
wall_ratio=$(ratio "$ad_wall" "$nft_wall")
rss_ratio=$(ratio "$ad_rss" "$nft_rss")

row() { printf '  %-40s %12s %11s %11s %13s\n' "$@"; }
echo "reading set ip/bench/s ($(wc -l <"$tmp/expected") elements; nft -j wrote $(wc -c <"$tmp/nft.json") bytes)"
row "command" "wall s med" "wall s best" "CPU s med" "peak RSS KiB"
row "nft -j list set ip bench s" "$nft_wall" "$(best "$tmp/nft.times" 1)" "$nft_cpu" "$nft_rss"
row "allowdrift allowlist nft:ip/bench/s" "$ad_wall" "$(best "$tmp/ad.times" 1)" "$ad_cpu" "$ad_rss"
row "ratio allowdrift/nft" "$wall_ratio" "" "$(ratio "$ad_cpu" "$nft_cpu")" "$rss_ratio"
echo "  target wall ratio <= $wall_target: $(at_most "$wall_ratio" "$wall_target")"
echo "  target RSS ratio  <= $rss_target: $(at_most "$rss_ratio" "$rss_target")"
echo "  both read the generated set: $([[ $same == true ]] && echo yes || echo NO)"

if [[ $same != true ]]; then
  echo "FAILED: a reader did not read the generated set" >&2
  exit 1
fi
