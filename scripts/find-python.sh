#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter: on PATH first, then pyenv's versions.
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for candidate in python3.13 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && ok "$(command -v "$candidate")"; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1 || [ -x "$HOME/.pyenv/bin/pyenv" ]; then
  PYENV=$(command -v pyenv || echo "$HOME/.pyenv/bin/pyenv")
  for version in $("$PYENV" versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' | sort -V -r); do
    candidate="$("$PYENV" prefix "$version")/bin/python3"
    if ok "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
for candidate in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
  if [ -x "$candidate" ] && ok "$candidate"; then echo "$candidate"; exit 0; fi
done
echo "No Python >= 3.12 found (tried PATH and pyenv). Install Python 3.12 or set PYTHON=/path/to/python3.12." >&2
exit 1
