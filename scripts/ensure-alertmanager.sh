#!/bin/sh
# Make sure Debian's prometheus-alertmanager is installed for the tests that run the real Alertmanager
# (tests/test_amforward.py, tests/test_alertmanager_live.py) and for the benchmark baseline (bench/accuracy).
# Installs with apt-get (package lists updated first) when run as root; the package's own service is not needed.
set -eu
if command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing prometheus-alertmanager (apt-get install -y prometheus-alertmanager) for the Alertmanager tests"
    apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus-alertmanager >/dev/null
    exit 0
fi
echo "prometheus-alertmanager is missing: the Alertmanager tests (tests/test_amforward.py, tests/test_alertmanager_live.py) need it." >&2
if command -v apt-get >/dev/null 2>&1; then
    echo "install it with:  sudo apt-get update && sudo apt-get install -y prometheus-alertmanager" >&2
else
    echo "install Alertmanager so that 'alertmanager' (or 'prometheus-alertmanager') is on PATH" >&2
fi
exit 1
