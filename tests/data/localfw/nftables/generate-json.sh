#!/usr/bin/env bash
# Regenerates the *.generated.json fixtures of this folder: each real ruleset here is loaded with `nft -f` into a
# throwaway network namespace (unshare --net, so the host's firewall is never touched) and saved as
# `nft -j list ruleset`. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for the namespace). The outputs depend on the
# nft version (metainfo.version); they were made with nft 1.0.6 (Debian 12) on Linux 6.x.
#
# Adaptations, so that files written for another host load here (stated in tests/data/README.md too):
#   - an `include` of a file that was not published points at a stand-in under includes/;
#   - akurov's ruleset names interface eth0 (`iif eth0`): a veth pair eth0 is created in the namespace first;
#   - free5gc's listing (nft 1.1 output) loses its two `xt target` rules, which nft 1.0.6 cannot parse, and its
#     nat output chain's `priority dstnat` becomes the equivalent -100, which nft 1.0.6 refuses for that hook.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
((EUID == 0)) || { echo "generate-json.sh: run as root (it creates network namespaces)" >&2; exit 2; }
here=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# generate NAME SETUP: loads $tmp/NAME (the adapted copy) after running SETUP in the namespace.
generate() {
  local name=$1 setup=$2
  unshare --net sh -c "$setup nft -f '$tmp/$name' && nft -j list ruleset" >"${name%.*}.generated.json"
  echo "wrote ${name%.*}.generated.json" >&2
}

sed "s#include \"/mnt/nftables/defs.ruleset\"#include \"$here/includes/dfinity-defs.nft\"#" \
  nftables-dfinity-http-gateway.conf >"$tmp/nftables-dfinity-http-gateway.conf"
sed "s#include \"/etc/sysconfig/nftables-allowed-ipv6.conf\"#include \"$here/includes/makhomed-allowed-ipv6.nft\"#" \
  nftables-include-generated-allowed-set-makhomed.conf >"$tmp/nftables-include-generated-allowed-set-makhomed.conf"
sed "s#include \"/var/lib/potato/nft-set-\*.conf\"#include \"$here/includes/potato-china.nft\"#" \
  nftables-potato-routing-named-sets.conf >"$tmp/nftables-potato-routing-named-sets.conf"
sed -e '/xt target/d' -e 's/hook output priority dstnat;/hook output priority -100;/' \
  nft-list-ruleset-docker-tailscale-free5gc-2026-05-20.txt >"$tmp/nft-list-ruleset-docker-tailscale-free5gc-2026-05-20.txt"
cp nftables-raw-prerouting-blocklist-set-akurov.nft nft-iptables-restore-translate-output-2022-04-28.nft "$tmp/"

cp handwritten-allowlist-cases.nft "$tmp/"
for name in handwritten-allowlist-cases.nft nftables-dfinity-http-gateway.conf nftables-include-generated-allowed-set-makhomed.conf \
  nftables-potato-routing-named-sets.conf nft-list-ruleset-docker-tailscale-free5gc-2026-05-20.txt \
  nft-iptables-restore-translate-output-2022-04-28.nft; do
  generate "$name" ""
done
generate nftables-raw-prerouting-blocklist-set-akurov.nft "ip link add eth0 type veth peer name eth0p &&"
