#!/usr/bin/env bash
# Install attt into ./.venv on a Debian machine (system packages through apt, then pip).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  python3 python3-venv python3-pip ca-certificates iproute2 procps nmap
/usr/bin/python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q .
echo "attt installed: $(.venv/bin/attt --version)"
