#!/usr/bin/env bash
# Issue 7 "Speed", on loopback only, in one run:
#
# 1. `allowdrift --once` over 10 sources (real published lists from tests/data/published/, text and JSON, 100 B to
#    2.6 MB) served by a loopback HTTPS server, beside curl fetching the same 10 URLs. Each --once run starts from a
#    fresh state directory (the first fetch: every list downloaded in full, parsed, stored as a baseline; the file
#    target read; one check per source evaluated), which is the fair comparison with curl, which downloads
#    everything too. curl runs as ONE process given the 10 URLs (`curl -s --cacert CA -o /dev/null URL1 -o ...`):
#    like allowdrift, one process start and 10 TLS connections (the server speaks HTTP/1.0 and closes after each
#    response, so curl cannot reuse a connection). Ten curl processes, one per URL one after another, are timed too,
#    for information. The three commands alternate, BENCH_RUNS times; medians are compared. Target: --once within
#    1.5x of the single curl process. A second --once figure, for information: a warm state directory (the lists
#    are unchanged: the server answers the conditional GET with 304 Not Modified).
# 2. `allowdrift daemon` with the same 10 sources (interval 6h, target_interval 1h, so nothing is scheduled in the
#    window). After the first fetch of every source (the daemon staggers them over its first minute; the log says
#    "fetch baseline source=..."), an idle window of BENCH_IDLE_SECONDS: RSS (VmRSS, VmHWM) and the voluntary +
#    nonvoluntary context switches of every thread (/proc/PID/task/*/status) at its start and end. Targets: VmRSS
#    under 15 MB (15,000,000 bytes) and no wake-up in the window (context-switch delta 0). Then SIGTERM: it must
#    exit with status 0 within 2 s.
#
# PKI and server as in fetch_bench.sh: a throw-away CA and a leaf for 127.0.0.1 made with the openssl CLI, Python's
# http.server behind ssl on 127.0.0.1 (Content-Length framing, If-Modified-Since answered with 304). Both clients
# verify against the same CA file; neither resolves a name.
#
# Exit status: 0 when every run worked (curl fetched every URL, --once reported every check from fetched data, the
# daemon fetched every source and stopped cleanly with status 0), 1 when a tool failed or a result is wrong, 2 on a
# setup problem. Missing a performance target prints FAIL but does not change the exit status.
#
# Environment:
#   ALLOWDRIFT_BIN      allowdrift executable (default: build/release/daemon/allowdrift; build Release first)
#   BENCH_RUNS          timed runs per command (default: 15), after one untimed warm-up each
#   BENCH_IDLE_SECONDS  the daemon's idle window (default: 60)
#   BENCH_TMPDIR        work directory (default: mktemp -d; removed on exit)
set -euo pipefail

script=daemon_bench
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
allowdrift=${ALLOWDRIFT_BIN:-$repo_root/build/release/daemon/allowdrift}
runs=${BENCH_RUNS:-15}
idle_seconds=${BENCH_IDLE_SECONDS:-60}
data=$repo_root/tests/data/published

for tool in curl openssl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[[ -x $allowdrift ]] || die "$allowdrift not found (build Release first, see bench/README.md)"
allowdrift=$(realpath "$allowdrift")
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$runs'"
[[ $idle_seconds =~ ^[1-9][0-9]*$ ]] || die "BENCH_IDLE_SECONDS must be a positive integer, not '$idle_seconds'"

make_tmp
server_pid=
daemon_pid=
# (`|| true` after each step: under set -e, a killed child's status from `wait` would become the script's.)
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local pid
  for pid in $daemon_pid $server_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -z ${BENCH_TMPDIR:-} ]]; then rm -rf "$tmp"; fi
  return 0
}
trap cleanup EXIT
cd "$tmp"
fail() {
  echo "$script: $*" >&2
  exit 1
}

# --- the 10 sources: name, file served, format, selectors (JSON; ; between several) ---
sources=(
  "cloudflare-v4|cloudflare-ips-v4-2024-10-29.txt|text|"
  "cloudflare-v6|cloudflare-ips-v6-2023-10-11.txt|text|"
  "aws|aws-ip-ranges-2026-08-22-1517.json|json|prefixes[].ip_prefix;ipv6_prefixes[].ipv6_prefix"
  "github|github-meta-2025-07-21.json|json|hooks;web;api;git"
  "google|google-goog-json-2026-08-21.json|json|prefixes[].ipv4Prefix?;prefixes[].ipv6Prefix?"
  "google-cloud|google-cloud-json-2026-08-21.json|json|prefixes[].ipv4Prefix?;prefixes[].ipv6Prefix?"
  "oracle|oracle-public-ip-ranges-2025-07-21.json|json|regions[].cidrs[].cidr"
  "atlassian|atlassian-ip-ranges-2026-06-17.json|json|items[].cidr"
  "zscaler-cenr|zscaler-net-cenr-2026-08-21.json|json|\"zscaler.net\".*.*[].range"
  "fastly|fastly-public-ip-list-2024-10-08.json|json|addresses;ipv6_addresses"
)

# --- PKI ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj "/CN=allowdrift bench CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || die "openssl could not make the CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
  -subj "/CN=127.0.0.1" 2>/dev/null || die "openssl could not make the leaf key"
printf "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" >leaf.ext
openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile leaf.ext -out leaf.crt \
  2>/dev/null || die "openssl could not sign the leaf"

# --- lists served, and the local allowlist (the file target) ---
mkdir -p www
total_bytes=0
for s in "${sources[@]}"; do
  IFS='|' read -r name file _ _ <<<"$s"
  [[ -f $data/$file ]] || die "missing $data/$file"
  cp "$data/$file" "www/$file"
  total_bytes=$((total_bytes + $(stat -c %s "www/$file")))
done
# The local allowlist: every prefix the 10 lists publish (read here with Python, independently of allowdrift), with
# every 25th dropped (missing) and a few documentation prefixes added (stale), so every check has a real diff.
python3 - www >local-allowlist.txt <<'PY'
import json, os, sys
d = sys.argv[1]
def load(f):
    with open(os.path.join(d, f)) as h:
        return json.load(h)
out = []
for f in ("cloudflare-ips-v4-2024-10-29.txt", "cloudflare-ips-v6-2023-10-11.txt"):
    out += open(os.path.join(d, f)).read().split()
aws = load("aws-ip-ranges-2026-08-22-1517.json")
out += [p["ip_prefix"] for p in aws["prefixes"]] + [p["ipv6_prefix"] for p in aws["ipv6_prefixes"]]
gh = load("github-meta-2025-07-21.json")
out += gh["hooks"] + gh["web"] + gh["api"] + gh["git"]
for f in ("google-goog-json-2026-08-21.json", "google-cloud-json-2026-08-21.json"):
    for p in load(f)["prefixes"]:
        out += [p[k] for k in ("ipv4Prefix", "ipv6Prefix") if k in p]
out += [c["cidr"] for r in load("oracle-public-ip-ranges-2025-07-21.json")["regions"] for c in r["cidrs"]]
out += [i["cidr"] for i in load("atlassian-ip-ranges-2026-06-17.json")["items"]]
for region in load("zscaler-net-cenr-2026-08-21.json")["zscaler.net"].values():
    for city in region.values():
        out += [n["range"] for n in city]
fastly = load("fastly-public-ip-list-2024-10-08.json")
out += fastly["addresses"] + fastly["ipv6_addresses"]
out = list(dict.fromkeys(x for x in out if x))
print("# generated by bench/daemon_bench.sh: the 10 published lists, every 25th prefix dropped, 3 stale added")
print("\n".join(x for i, x in enumerate(out) if i % 25 != 7))
print("192.0.2.0/24\n198.51.100.0/24\n2001:db8::/32")
PY
local_lines=$(grep -vc '^#' local-allowlist.txt)

# --- server ---
cat >server.py <<'PY'
import http.server, ssl, sys, functools
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=sys.argv[1])
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
PY
python3 server.py www leaf.crt leaf.key >port.txt &
server_pid=$!
for _ in $(seq 50); do [[ -s port.txt ]] && break; sleep 0.1; done
port=$(head -1 port.txt)
[[ -n $port ]] || die "the server did not start"

# --- configurations: the same sources and checks; --once and the idle daemon differ in the intervals only ---
# One check per source against the one file target; stale_scope "published", since the target holds all 10 lists.
# write_config FILE INTERVAL TARGET_INTERVAL
write_config() {
  {
    echo "state_dir = \"$tmp/state-unused\""
    echo "log_level = \"info\""
    echo "interval = \"$2\""
    echo "target_interval = \"$3\""
    echo "target_max_age = \"$3\""
    echo "max_age = \"3d\""
    echo
    echo "[[target]]"
    echo "name = \"local\""
    echo "spec = \"file:$tmp/local-allowlist.txt\""
    for s in "${sources[@]}"; do
      IFS='|' read -r name file format select <<<"$s"
      echo
      echo "[[source]]"
      echo "name = \"$name\""
      echo "url = \"https://127.0.0.1:$port/$file\""
      echo "format = \"$format\""
      echo "ca_file = \"$tmp/ca.crt\""
      if [[ -n $select ]]; then
        local list="" sel
        IFS=';' read -ra sels <<<"$select"
        for sel in "${sels[@]}"; do list+="${list:+, }'$sel'"; done
        echo "select = [$list]"
      fi
    done
    for s in "${sources[@]}"; do
      IFS='|' read -r name _ _ _ <<<"$s"
      echo
      echo "[[check]]"
      echo "name = \"$name\""
      echo "sources = [\"$name\"]"
      echo "target = \"local\""
      echo "stale_scope = \"published\""
    done
  } >"$1"
}
write_config once.toml 6h 1h
write_config daemon.toml 6h 1h
"$allowdrift" check-config --config once.toml >check-config.out 2>&1 || {
  cat check-config.out >&2
  die "check-config rejected the generated configuration"
}

urls=()
curl_args=(-s -S -f --cacert ca.crt)
for s in "${sources[@]}"; do
  IFS='|' read -r _ file _ _ <<<"$s"
  urls+=("https://127.0.0.1:$port/$file")
  curl_args+=(-o /dev/null "https://127.0.0.1:$port/$file")
done

# timed OUT CMD...: one run; appends "microseconds peak_rss_kib" to OUT. Exit status 0-2 accepted (--once: in sync,
# warning, critical); the report is checked separately.
timed() {
  local out=$1 start end rc=0
  shift
  start=$(date +%s%N)
  /usr/bin/time -f %M -o rss.txt "$@" >last.out 2>last.err || rc=$?
  end=$(date +%s%N)
  if ((rc > 2)); then
    cat last.err >&2
    fail "failed (status $rc): $*"
  fi
  echo "$(((end - start) / 1000)) $(tail -1 rss.txt)" >>"$out"
}
# curl_each.sh: one curl process per URL, one after another (a script, so GNU time can run it).
{
  echo '#!/bin/sh'
  echo 'set -e'
  for u in "${urls[@]}"; do echo "curl -s -S -f --cacert ca.crt -o /dev/null '$u'"; done
} >curl_each.sh
chmod +x curl_each.sh
# check_once_report OUTCOME: the JSON report of the last --once run has every source with OUTCOME (baseline in a
# fresh state dir, unchanged in the warm one), the target read, and every check evaluated (none unknown).
check_once_report() {
  python3 - last.out "${#sources[@]}" "$1" <<'PY' || { cat last.out last.err >&2; fail "--once report is not as expected"; }
import json, sys
r = json.load(open(sys.argv[1]))
n, outcome = int(sys.argv[2]), sys.argv[3]
assert len(r["sources"]) == n and len(r["checks"]) == n, "wrong number of sources or checks"
for s in r["sources"]:
    assert s["outcome"] == outcome, s["name"] + ": " + s["outcome"] + " " + s["message"]
assert all(t["readable"] for t in r["targets"]), "target unreadable"
for c in r["checks"]:
    assert c["status"] in ("ok", "warning", "critical"), c["name"] + " is " + c["status"]
PY
}

: >once-cold.txt
: >once-warm.txt
: >curl-one.txt
: >curl-each.txt
# Warm-up (untimed): page cache, loader, server; it also fills state-warm for the warm runs.
"$allowdrift" --once --config once.toml --state-dir "$tmp/state-warm" --format json >last.out 2>last.err ||
  (($? <= 2)) || fail "--once failed: $(cat last.err)"
check_once_report baseline
curl "${curl_args[@]}" || fail "curl failed"
for i in $(seq "$runs"); do
  timed once-cold.txt "$allowdrift" --once --config once.toml --state-dir "$tmp/state-$i" --format json
  check_once_report baseline
  rm -rf "$tmp/state-$i"
  timed curl-one.txt curl "${curl_args[@]}"
  timed once-warm.txt "$allowdrift" --once --config once.toml --state-dir "$tmp/state-warm" --format json
  check_once_report unchanged
  timed curl-each.txt ./curl_each.sh
done

# --- the idle daemon ---
# threads_cs: "voluntary nonvoluntary" summed over every thread of $daemon_pid.
threads_cs() {
  awk '/^voluntary_ctxt_switches/ {v += $2} /^nonvoluntary_ctxt_switches/ {n += $2} END {print v + 0, n + 0}' \
    /proc/"$daemon_pid"/task/*/status
}
# per_thread: one line per thread: tid name voluntary nonvoluntary.
per_thread() {
  local t
  for t in /proc/"$daemon_pid"/task/*; do
    awk -v tid="${t##*/}" '/^Name:/ {n = $2} /^voluntary_ctxt_switches/ {v = $2}
      /^nonvoluntary_ctxt_switches/ {w = $2} END {print tid, n, v, w}' "$t/status"
  done
}
# alive: the daemon runs (an exited child stays a zombie until waited for, and kill -0 still succeeds on it).
alive() { [[ $(awk '/^State:/ {print $2}' /proc/"$daemon_pid"/status 2>/dev/null) =~ ^[RSD]$ ]]; }
status_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/"$daemon_pid"/status; }

: >daemon.log
"$allowdrift" daemon --config daemon.toml --state-dir "$tmp/state-daemon" 2>>daemon.log &
daemon_pid=$!
# The sources are staggered over the first minute; each first fetch logs "fetch baseline".
baselines() { awk '/fetch baseline/ {n++} END {print n + 0}' daemon.log; }
deadline=$((SECONDS + 120))
while (($(baselines) < ${#sources[@]})); do
  alive || {
    cat daemon.log >&2
    fail "the daemon exited during its first fetches"
  }
  ((SECONDS < deadline)) || {
    cat daemon.log >&2
    fail "not every source was fetched within 120 s"
  }
  sleep 0.5
done
# Let the last check evaluation and its log line finish.
sleep 1
grep -q 'fetch failed\|fetch rejected\|source cycle failed' daemon.log && {
  cat daemon.log >&2
  fail "a daemon fetch failed"
}
log_lines_before=$(wc -l <daemon.log)
threads=$(find /proc/"$daemon_pid"/task -mindepth 1 -maxdepth 1 | wc -l)
per_thread >threads-start.txt
read -r vol0 nonvol0 < <(threads_cs)
rss0=$(status_kb VmRSS)
sleep "$idle_seconds"
read -r vol1 nonvol1 < <(threads_cs)
per_thread >threads-end.txt
rss1=$(status_kb VmRSS)
hwm=$(status_kb VmHWM)
rss_anon=$(status_kb RssAnon)
rss_file=$(status_kb RssFile)
pss=$(awk '$1 == "Pss:" {print $2}' /proc/"$daemon_pid"/smaps_rollup 2>/dev/null || echo "?")
log_lines_after=$(wc -l <daemon.log)
wakeups=$((vol1 - vol0 + nonvol1 - nonvol0))

kill -TERM "$daemon_pid"
stop_start=$(date +%s%N)
stopped=no
for _ in $(seq 40); do
  alive || {
    stopped=yes
    break
  }
  sleep 0.05
done
stop_ms=$((($(date +%s%N) - stop_start) / 1000000))
daemon_rc=0
if [[ $stopped == yes ]]; then
  wait "$daemon_pid" || daemon_rc=$?
else
  kill -KILL "$daemon_pid" 2>/dev/null
  wait "$daemon_pid" 2>/dev/null || true
  daemon_rc=killed
fi
daemon_pid=

# --- report ---
ms() { awk -v us="$1" 'BEGIN {printf "%.1f", us / 1000}'; }
cold_us=$(median once-cold.txt 1)
warm_us=$(median once-warm.txt 1)
one_us=$(median curl-one.txt 1)
each_us=$(median curl-each.txt 1)
machine_line "$(curl --version | head -1 | cut -d' ' -f1-2), $(python3 --version)"
echo "--once over ${#sources[@]} sources ($total_bytes bytes of lists, loopback TLS, Python http.server), file target of" \
  "$local_lines prefixes, ${#sources[@]} checks; $runs runs each, alternating"
printf "  %-52s %10s %10s %12s\n" "command" "ms med" "ms best" "peak RSS KiB"
row() { printf "  %-52s %10s %10s %12s\n" "$1" "$(ms "$(median "$2" 1)")" "$(ms "$(best "$2" 1)")" "$(median "$2" 2)"; }
row "allowdrift --once, fresh state dir" once-cold.txt
row "curl, one process, the 10 URLs" curl-one.txt
row "curl, one process per URL, one after another" curl-each.txt
row "allowdrift --once, warm state dir (304s)" once-warm.txt
once_ratio=$(ratio "$cold_us" "$one_us")
echo "  ratio --once fresh / curl one process: $once_ratio (per-URL curls: $(ratio "$cold_us" "$each_us");" \
  "warm --once / curl one process: $(ratio "$warm_us" "$one_us"))"
echo "  target --once <= 1.5x curl (one process, the 10 URLs): $(at_most "$once_ratio" 1.5)" \
  "(against one curl process per URL: $(at_most "$(ratio "$cold_us" "$each_us")" 1.5))"
echo
echo "idle daemon, ${#sources[@]} sources fetched (interval 6h, target_interval 1h), window ${idle_seconds} s, $threads threads"
echo "  VmRSS start ${rss0} KiB, end ${rss1} KiB (RssAnon ${rss_anon}, RssFile ${rss_file}; Pss ${pss}), VmHWM ${hwm} KiB"
echo "  context switches in the window: voluntary $((vol1 - vol0)), nonvoluntary $((nonvol1 - nonvol0))" \
  "($(awk -v w="$wakeups" -v s="$idle_seconds" 'BEGIN {printf "%.1f", w * 60 / s}') per minute);" \
  "log lines in the window: $((log_lines_after - log_lines_before))"
if ((wakeups > 0)); then
  echo "  (not expected: between scheduled events the daemon waits in one ppoll, outside Asio's reactor; see"
  echo "  bench/README.md. strace -f -tt -p PID shows what woke it.)"
  echo "  per thread (tid name voluntary nonvoluntary), start -> end:"
  paste -d' ' threads-start.txt threads-end.txt | awk '{printf "    %s %s %s %s -> %s %s\n", $1, $2, $3, $4, $7, $8}'
fi
echo "  target idle VmRSS < 15 MB: $(awk -v k="$rss1" 'BEGIN {print (k * 1024 < 15000000) ? "PASS" : "FAIL"}')"
echo "  target no wake-ups in the window: $( ((wakeups == 0)) && echo PASS || echo FAIL)"
echo "  SIGTERM: exited $( [[ $stopped == yes ]] && echo "after ${stop_ms} ms" || echo "NOT within 2 s"), status $daemon_rc"
[[ $stopped == yes && $daemon_rc == 0 ]] || fail "the daemon did not stop cleanly on SIGTERM"
exit 0
