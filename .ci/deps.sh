#!/usr/bin/env bash
# Installs what the tests need and a fresh Debian machine may lack, only when it is missing (idempotent).
# The arm64 packages for the qemu run are installed by .ci/arm64-tests.sh itself.
set -uo pipefail
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
missing=()
# Add entries as "command-or-check|package".
need() { # $1 = a shell test that succeeds when present, $2 = the Debian package
  if ! eval "$1" >/dev/null 2>&1; then missing+=("$2"); fi
}
need "command -v python3" python3
need "command -v unzip" unzip
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" || exit 1
fi
echo "deps: ok"
