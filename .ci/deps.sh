#!/usr/bin/env bash
# Installs what the tests need and a fresh Debian machine may lack, only when it is missing (idempotent):
# python3 with jinja2 (the chat-template oracle: Hugging Face's template engine), unzip (the package test), tmux
# (the pseudo-terminal the `llamagen chat` test types into), chromium (the browser Playwright drives for the server's
# chat page; Playwright's own browser download is not used) and nginx (the load balancer of the server replica test).
# The arm64 packages for the qemu run are installed by .ci/arm64-tests.sh itself.
set -uo pipefail
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
missing=()
need() { # $1 = a shell test that succeeds when present, $2 = the Debian package(s)
  if ! eval "$1" >/dev/null 2>&1; then missing+=($2); fi
}
need "python3 -c 'import jinja2'" "python3 python3-jinja2"
need "command -v unzip" unzip
need "command -v tmux" tmux
need "test -x /usr/bin/chromium" chromium
need "test -x /usr/sbin/nginx" nginx
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" || exit 1
fi
python3 -c "import jinja2; print('deps: jinja2', jinja2.__version__)"
