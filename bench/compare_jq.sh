#!/usr/bin/env bash
# Compares `allowdrift extract --source-format json` (strict parse + select + normalize + merge) with jq extracting
# the same strings from the same published files, side by side in one run:
#   Azure Service Tags, all tags:  --select 'values[].properties.addressPrefixes'
#                                  jq -r '.values[].properties.addressPrefixes[]'
#   AWS ip-ranges.json:            --select 'prefixes[].ip_prefix' --select 'ipv6_prefixes[].ipv6_prefix'
#                                  jq -r '.prefixes[].ip_prefix, .ipv6_prefixes[].ipv6_prefix'
# Prints wall time, throughput (file size / wall time), peak RSS and CPU time of each, the ratios jq/allowdrift
# against the targets (allowdrift at least 5x faster than jq, peak RSS no higher than jq's), and checks that both
# extract the same address set.
#
# Exit status: 0 when both tools extract the same set from every file, 1 when they differ or a tool fails, 2 on a
# setup problem. Missing a performance target prints FAIL but does not change the exit status.
#
# Environment:
#   ALLOWDRIFT_BIN   allowdrift binary     (default: build/release/daemon/allowdrift under the repo root)
#   BENCH_AZURE      Azure Service Tags    (default: tests/data/published/azure-servicetags-public-*-change363.json)
#   BENCH_AWS        AWS ip-ranges.json    (default: tests/data/published/aws-ip-ranges-2026-08-22-1517.json)
#   BENCH_RUNS       timed runs per tool   (default: 5; the median is reported, the best beside it)
#   BENCH_TMPDIR     where outputs go      (default: mktemp -d; removed on exit)
set -euo pipefail

script=compare_jq.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
allowdrift=${ALLOWDRIFT_BIN:-$repo_root/build/release/daemon/allowdrift}
azure=${BENCH_AZURE:-$repo_root/tests/data/published/azure-servicetags-public-2025-07-22-change363.json}
aws=${BENCH_AWS:-$repo_root/tests/data/published/aws-ip-ranges-2026-08-22-1517.json}
runs=${BENCH_RUNS:-5}

# Targets: allowdrift at least 5 times faster than jq (jq wall / allowdrift wall >= 5), peak RSS at most jq's.
readonly speed_target=5.0
readonly rss_target=1.0


[[ -x $allowdrift ]] || die "$allowdrift is not an executable; build Release first (see bench/README.md)"
for f in "$azure" "$aws"; do
  [[ -r $f ]] || die "cannot read $f"
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

# --- tools: install jq and GNU time only when missing ---------------------------------------------------------------
missing_pkgs=()
command -v jq >/dev/null 2>&1 || missing_pkgs+=(jq)
[[ -x /usr/bin/time ]] || missing_pkgs+=(time)
install_packages "${missing_pkgs[@]}"

make_tmp

# --- helpers ----------------------------------------------------------------------------------------------------------

# timed LABEL OUT CMD...: runs CMD with stdout to OUT and appends "wall_s rss_kib cpu_s" to $tmp/LABEL.times
# (cpu = user + system: less disturbed than wall time when other jobs share the machine). GNU time gives the peak
# RSS; its times have a 10 ms resolution, too coarse next to 15 ms, so wall and CPU come from bash's `time` around
# it, to the millisecond (they include GNU time's own start, about 1 ms, for both tools alike). Any non-zero exit
# status stops the script: both tools exit 0 on these files.
timed() {
  local label=$1 out=$2
  shift 2
  local rc=0 TIMEFORMAT='%3R %3U %3S'
  { time /usr/bin/time -f '%M' -o "$tmp/$label.rss" "$@" >"$out" 2>"$tmp/$label.stderr" || rc=$?; } 2>"$tmp/$label.time"
  if ((rc != 0)); then
    echo "compare_jq.sh: '$*' failed with status $rc:" >&2
    head -20 "$tmp/$label.stderr" >&2
    exit 1
  fi
  local rss
  rss=$(tail -n 1 "$tmp/$label.rss")
  tail -n 1 "$tmp/$label.time" | awk -v rss="$rss" '{printf "%s %s %.3f\n", $1, rss, $2 + $3}' >>"$tmp/$label.times"
}

# mbps BYTES SECONDS: decimal megabytes per second.
mbps() { awk -v n="$1" -v s="$2" 'BEGIN {if (s > 0) printf "%.1f", n / s / 1e6; else print "inf"}'; }

machine_line "$(jq --version 2>&1 | head -n 1)"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min) at start; other jobs on the machine skew wall times"
echo "runs:    $runs timed runs per tool after one warm-up run, interleaved"
echo

same=true

# compare NAME FILE AD_SELECTS JQ_FILTER: one side-by-side comparison; AD_SELECTS is the name of an array variable
# holding the --select options.
compare() {
  local name=$1 file=$2 jq_filter=$4
  local -n selects=$3
  local ad_cmd=("$allowdrift" extract --source-format json "${selects[@]}" --from "$file")
  local jq_cmd=(jq -r "$jq_filter" "$file")

  timed "warmup_ad_$name" "$tmp/$name.ad.out" "${ad_cmd[@]}"
  timed "warmup_jq_$name" "$tmp/$name.jq.out" "${jq_cmd[@]}"
  local i
  for ((i = 0; i < runs; ++i)); do
    timed "ad_$name" "$tmp/$name.ad.out" "${ad_cmd[@]}"
    timed "jq_$name" "$tmp/$name.jq.out" "${jq_cmd[@]}"
  done

  # Equality. The two outputs differ in form: jq prints every selected string as published (duplicates, overlaps,
  # any order), allowdrift prints the normalized set merged into the minimal sorted CIDR list, after '#' comment
  # lines (source, verdict, "N IP entries -> M blocks"). So the check is on the address set, with allowdrift's own
  # list reader as the normalizer of jq's raw strings: `allowdrift diff --only missing X Y` lists what X has and Y
  # does not, exit 0 when nothing; run both ways, empty both ways means the same set. (This leans on the list
  # reader of `diff`, which shares the entry grammar with the JSON path but not the JSON parser or the selector.)
  # Besides, the count of strings jq printed must equal allowdrift's count of accepted entries before merging, so
  # neither tool dropped or added a string (a duplicate, say) that the set comparison would not see.
  local dir
  for dir in "ad jq" "jq ad"; do
    local -a pair
    read -r -a pair <<<"$dir"
    local rc=0
    "$allowdrift" diff --only missing "$tmp/$name.${pair[0]}.out" "$tmp/$name.${pair[1]}.out" \
      >"$tmp/$name.${pair[0]}-${pair[1]}.diff" 2>&1 || rc=$?
    if ((rc != 0)); then
      echo "$name: entries ${pair[0]} extracts and ${pair[1]} does not (status $rc):" >&2
      head -n 10 "$tmp/$name.${pair[0]}-${pair[1]}.diff" >&2
      same=false
    fi
  done
  local jq_lines ad_entries ad_blocks
  jq_lines=$(wc -l <"$tmp/$name.jq.out")
  ad_entries=$(sed -nE 's/^# section .*: ([0-9]+) IP entries -> .*/\1/p' "$tmp/$name.ad.out" |
    awk '{n += $1} END {print n + 0}')
  ad_blocks=$(grep -cv '^#' "$tmp/$name.ad.out" || true)
  if ((jq_lines != ad_entries)); then
    echo "$name: jq printed $jq_lines strings, allowdrift accepted $ad_entries entries" >&2
    same=false
  fi

  local size ad_wall jq_wall ad_rss jq_rss ad_cpu jq_cpu speed rss_ratio
  size=$(stat -c %s "$file")
  ad_wall=$(median "$tmp/ad_$name.times" 1)
  jq_wall=$(median "$tmp/jq_$name.times" 1)
  ad_rss=$(median "$tmp/ad_$name.times" 2)
  jq_rss=$(median "$tmp/jq_$name.times" 2)
  ad_cpu=$(median "$tmp/ad_$name.times" 3)
  jq_cpu=$(median "$tmp/jq_$name.times" 3)
  speed=$(ratio "$jq_wall" "$ad_wall")
  rss_ratio=$(ratio "$ad_rss" "$jq_rss")

  row() { printf '  %-30s %11s %12s %8s %10s %13s\n' "$@"; }
  echo "$name: $(basename "$file") ($size bytes; $jq_lines strings -> $ad_blocks merged blocks)"
  row "command" "wall s med" "wall s best" "MB/s" "CPU s med" "peak RSS KiB"
  row "allowdrift extract" "$ad_wall" "$(best "$tmp/ad_$name.times" 1)" "$(mbps "$size" "$ad_wall")" "$ad_cpu" "$ad_rss"
  row "jq -r" "$jq_wall" "$(best "$tmp/jq_$name.times" 1)" "$(mbps "$size" "$jq_wall")" "$jq_cpu" "$jq_rss"
  row "ratio" "jq/ad $speed" "" "" "jq/ad $(ratio "$jq_cpu" "$ad_cpu")" "ad/jq $rss_ratio"
  echo "  target speed (jq wall / allowdrift wall) >= $speed_target: $(at_least "$speed" "$speed_target")"
  echo "  target RSS (allowdrift / jq)             <= $rss_target: $(at_most "$rss_ratio" "$rss_target")"
  echo
}

# shellcheck disable=SC2034 # used through a nameref in compare
azure_selects=(--select 'values[].properties.addressPrefixes')
# shellcheck disable=SC2034
aws_selects=(--select 'prefixes[].ip_prefix' --select 'ipv6_prefixes[].ipv6_prefix')
compare azure "$azure" azure_selects '.values[].properties.addressPrefixes[]'
compare aws "$aws" aws_selects '.prefixes[].ip_prefix, .ipv6_prefixes[].ipv6_prefix'

if [[ $same != true ]]; then
  echo "FAILED: allowdrift and jq extract different address sets" >&2
  exit 1
fi
echo "same address sets: yes (both files, checked both ways)"
