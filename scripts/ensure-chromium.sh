#!/bin/sh
# Make sure Debian's chromium is installed for the web view test (tests/test_browser.py).
# No pip/npm browser downloads: they fail on these machines. Installs with apt-get when run as root.
set -eu
if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing chromium (apt-get install -y chromium) for the browser test"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
        || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; }
    exit 0
fi
echo "chromium is missing: the browser test (tests/test_browser.py) needs it." >&2
if command -v apt-get >/dev/null 2>&1; then
    echo "install it with:  sudo apt-get install -y chromium" >&2
else
    echo "install Chromium with your system's package manager so that 'chromium' is on PATH" >&2
fi
exit 1
