#!/usr/bin/env bash
# Fetches a 4 MB list from a loopback TLS server BENCH_RUNS times with `allowdrift fetch` and with
# `curl -s -o /dev/null --cacert`, side by side in one run, and checks the issue 3 targets: allowdrift's median
# latency within 1.5x of curl's, and its peak RSS growth under 3x the body size.
#
# Setup (all on 127.0.0.1, nothing leaves loopback): a throw-away CA and a leaf for 127.0.0.1 made with the
# openssl CLI (research/reliability.md §6.2), and Python's http.server behind ssl serving the list with a
# Content-Length (it closes without close_notify, which the client must accept after a complete message). Both
# clients fetch https://127.0.0.1:PORT/list.txt, so neither resolves a name; both verify the certificate against
# the same CA file. The runs alternate (allowdrift, curl, allowdrift, ...) so load drift hits both equally.
#
# What is measured, per run: wall-clock time of the whole process (start-up, TLS handshake, transfer, exit) from
# date +%s%N, and peak RSS from GNU time (%M). RSS growth = allowdrift's median peak RSS on the 4 MB list minus
# its median peak RSS on a 1-line list from the same server (so the executable, OpenSSL and the sanitizer-free
# heap baseline are not counted). Throughput = body size / median latency.
#
# Exit status: 0 when every fetch succeeded and allowdrift reported the right body size, 1 otherwise, 2 on a setup
# problem. Missing a performance target prints FAIL but does not change the exit status.
#
# Environment:
#   ALLOWDRIFT_BIN  allowdrift executable (default: build/release/daemon/allowdrift; build Release first)
#   BENCH_RUNS      fetches per client (default: 50)
#   BENCH_MB        list size in MiB   (default: 4)
#   BENCH_TMPDIR    work directory     (default: mktemp -d; removed on exit)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
allowdrift=${ALLOWDRIFT_BIN:-$repo_root/build/release/daemon/allowdrift}
runs=${BENCH_RUNS:-50}
mb=${BENCH_MB:-4}

for tool in curl openssl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "fetch_bench: $tool is missing" >&2; exit 2; }
done
[[ -x $allowdrift ]] || { echo "fetch_bench: $allowdrift not found (build Release first, see bench/README.md)" >&2; exit 2; }
allowdrift=$(realpath "$allowdrift")

if [[ -n ${BENCH_TMPDIR:-} ]]; then
  work=$BENCH_TMPDIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
fi
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -z ${BENCH_TMPDIR:-} ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT

# --- PKI ---
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj "/CN=allowdrift bench CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile leaf.ext -out leaf.crt \
  2>/dev/null

# --- lists: prefix lines up to the size, and a one-line list for the RSS baseline ---
mkdir -p www
python3 - "$mb" > www/list.txt <<'PY'
import sys
size = int(sys.argv[1]) * 1024 * 1024
out, n = [], 0
i = 0
while n < size:
    line = "10.%d.%d.0/24\n" % ((i >> 8) & 255, i & 255) if i % 2 else "2001:db8:%x::/48\n" % (i & 0xffff)
    out.append(line); n += len(line); i += 1
sys.stdout.write("".join(out)[:size])
PY
echo "192.0.2.0/24" > www/tiny.txt
body_bytes=$(stat -c %s www/list.txt)

# --- server ---
cat > server.py <<'PY'
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
python3 server.py www leaf.crt leaf.key > port.txt &
server_pid=$!
for _ in $(seq 50); do [[ -s port.txt ]] && break; sleep 0.1; done
port=$(head -1 port.txt)
[[ -n $port ]] || { echo "fetch_bench: the server did not start" >&2; exit 2; }
url=https://127.0.0.1:$port/list.txt
tiny_url=https://127.0.0.1:$port/tiny.txt

status=0
# run NAME OUT CMD...: one timed run; appends "ms rss_kb" to OUT.
run() {
  local out=$1; shift
  local start end
  start=$(date +%s%N)
  if ! /usr/bin/time -f %M -o rss.txt "$@" > last.out 2> last.err; then
    echo "fetch_bench: failed: $*" >&2; cat last.err >&2; exit 1
  fi
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $(tail -1 rss.txt)" >> "$out"
}
: > allowdrift.txt; : > curl.txt; : > allowdrift-tiny.txt
ad_args=(fetch --ca-file ca.crt --attempts 1)
for _ in $(seq "$runs"); do
  run allowdrift.txt "$allowdrift" "${ad_args[@]}" "$url"
  grep -q "$body_bytes" last.out || { echo "fetch_bench: allowdrift did not report $body_bytes bytes" >&2; cat last.out >&2; exit 1; }
  run curl.txt curl -s -o /dev/null --cacert ca.crt "$url"
  run allowdrift-tiny.txt "$allowdrift" "${ad_args[@]}" "$tiny_url"
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ad_us=$(cut -d' ' -f1 allowdrift.txt | median)
curl_us=$(cut -d' ' -f1 curl.txt | median)
ad_rss=$(cut -d' ' -f2 allowdrift.txt | median)
curl_rss=$(cut -d' ' -f2 curl.txt | median)
tiny_rss=$(cut -d' ' -f2 allowdrift-tiny.txt | median)

awk -v ad="$ad_us" -v cu="$curl_us" -v ar="$ad_rss" -v cr="$curl_rss" -v tr="$tiny_rss" -v b="$body_bytes" \
    -v runs="$runs" 'BEGIN {
  mib = b / 1048576
  printf "list: %d bytes (%.1f MiB), %d runs per client, loopback TLS (Python http.server)\n", b, mib, runs
  printf "%-11s %10s %12s %12s\n", "client", "median ms", "MiB/s", "peak RSS MiB"
  printf "%-11s %10.1f %12.1f %12.1f\n", "allowdrift", ad / 1000, mib / (ad / 1e6), ar / 1024
  printf "%-11s %10.1f %12.1f %12.1f\n", "curl", cu / 1000, mib / (cu / 1e6), cr / 1024
  ratio = ad / cu
  growth = (ar - tr) * 1024
  printf "latency ratio allowdrift/curl: %.2f (target <= 1.5): %s\n", ratio, ratio <= 1.5 ? "PASS" : "FAIL"
  printf "RSS growth over a 1-line fetch: %.1f MiB = %.2fx the body (target < 3x): %s\n", growth / 1048576,
         growth / b, growth < 3 * b ? "PASS" : "FAIL"
}'
exit $status
