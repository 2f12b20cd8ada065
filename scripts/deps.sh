#!/usr/bin/env bash
# Installs, with apt-get and only when missing, the Debian 12 packages allowdrift needs.
#   scripts/deps.sh build   what the Release build needs
#   scripts/deps.sh test    that, plus GoogleTest, Google Benchmark and clang for the libFuzzer targets
set -euo pipefail

build_packages=(cmake ninja-build g++ libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libboost-url1.81-dev libsqlite3-dev libssl-dev zlib1g-dev libgumbo-dev pkg-config libtoml11-dev libidn2-dev
  ca-certificates libnftnl-dev libmnl-dev libnftables-dev libpugixml-dev libtomlplusplus-dev libsystemd-dev
  libspdlog-dev)
# The firewall tools are what the privileged tests load rules with and what the live readers run; util-linux gives
# unshare and setpriv.
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev clang-format-14 git
  nftables iptables ipset util-linux libcap2-bin systemd)

case "${1:-}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
