#!/usr/bin/env sh
# Print the path of a Python >= 3.12: $PYTHON if given, else the first found on PATH or under pyenv.
# Exits non-zero with instructions when there is none.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then command -v "$PYTHON" || echo "$PYTHON"; exit 0; fi
  echo "error: PYTHON=$PYTHON is not a Python >= 3.12" >&2; exit 1
fi
for c in python3.13 python3.12 python3 python; do
  p=$(command -v "$c" 2>/dev/null) && ok "$p" && { echo "$p"; exit 0; }
done
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /opt/homebrew/bin/python3.1[2-9]; do
  [ -x "$p" ] && ok "$p" && { echo "$p"; exit 0; }
done
cat >&2 <<'MSG'
error: causegraph needs Python >= 3.12 and none was found.
  Install one, then run make again, for example:
    Debian/Ubuntu:  sudo apt-get install python3.12 python3.12-venv
    pyenv:          pyenv install 3.12
    macOS:          brew install python@3.12
  or point make at one:  make test PYTHON=/path/to/python3.12
MSG
exit 1
