#!/usr/bin/env bash
# Test dependencies outside NuGet: the chat-template tests compare with Python's jinja2 (Hugging Face's template
# engine). Installs Debian's python3-jinja2 only when python3 cannot import jinja2 already. Idempotent.
set -euo pipefail
if python3 -c "import jinja2" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-jinja2
python3 -c "import jinja2; print('jinja2', jinja2.__version__)"
