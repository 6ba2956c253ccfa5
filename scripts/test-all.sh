#!/usr/bin/env bash
# Install everything the tests need (system packages, a venv with attt editable and the test
# tools) and run the whole suite: ruff, mypy --strict, pytest.  .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  python3 python3-venv python3-pip ca-certificates \
  openssh-server openssh-client nmap chromium iproute2 nftables iptables procps \
  debootstrap util-linux rabbitmq-server socat \
  libreoffice-writer-nogui poppler-utils fonts-liberation \
  krb5-kdc krb5-admin-server krb5-user libkrb5-dev gcc python3-dev
/usr/bin/python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
echo "== ruff"
.venv/bin/ruff check src checks tests tools bench
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/python -m pytest -p no:cacheprovider --durations=25 "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit "$rc"
