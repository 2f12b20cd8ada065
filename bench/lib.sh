# shellcheck shell=bash
# Shared helpers of the comparison scripts in bench/ (sourced, not run). The caller sets `script` to its name.

# die MESSAGE: a setup problem (exit status 2).
die() {
  echo "${script:-bench}: $*" >&2
  exit 2
}

# install_packages PKG...: apt-get install, with sudo when not root; an update only if the first try fails.
install_packages() {
  (($# > 0)) || return 0
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
    sudo=(sudo)
  fi
  echo "installing: $*" >&2
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >&2; then
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >&2
  fi
}

# make_tmp: sets `tmp` to $BENCH_TMPDIR (kept) or a fresh directory removed at exit.
make_tmp() {
  if [[ -n ${BENCH_TMPDIR:-} ]]; then
    tmp=$BENCH_TMPDIR
    mkdir -p "$tmp"
  else
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/allowdrift-bench.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
  fi
}

# median FILE COLUMN / best FILE COLUMN: of the whitespace-separated numbers in COLUMN.
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
best() { awk -v c="$2" '{print $c}' "$1" | sort -g | head -n 1; }
# ratio A B: A / B, two decimals ("inf" when B is 0: GNU time's wall clock has a 10 ms resolution).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "inf"}'; }
# at_most R T / at_least R T: PASS or FAIL for a ratio against its target.
at_most() { awk -v r="$1" -v t="$2" 'BEGIN {print (r != "inf" && r <= t) ? "PASS" : "FAIL"}'; }
at_least() { awk -v r="$1" -v t="$2" 'BEGIN {print (r == "inf" || r >= t) ? "PASS" : "FAIL"}'; }

# machine_line TOOL_VERSION: the first line of every report.
machine_line() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  echo "machine: ${cpu:-unknown CPU}, $(nproc) cores; $1"
}
