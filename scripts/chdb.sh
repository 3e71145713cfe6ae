#!/usr/bin/env bash
# Installs chdb (the embedded ClickHouse, from PyPI) into the git-ignored .tools/chdb, once, and
# prints the path of its python. The differential tests of the ClickHouse SQL use it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .tools/chdb/bin/python -c 'import chdb' 2>/dev/null; then
  python3 -m venv .tools/chdb >&2
  .tools/chdb/bin/pip install --quiet chdb >&2
fi
echo "$PWD/.tools/chdb/bin/python"
