#!/usr/bin/env bash
# Installs moto's S3 server (a local implementation of the S3 API, from PyPI `moto[server]`) into
# the git-ignored .tools/moto, once, and prints the path of its python. The S3 object source's
# integration tests (nno-obs-cloudflare/tests/s3_moto.rs, the workerd e2e) run it on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .tools/moto/bin/python -c 'import moto.server, boto3' 2>/dev/null; then
  python3 -m venv .tools/moto >&2
  .tools/moto/bin/pip install --quiet 'moto[server]' >&2
fi
echo "$PWD/.tools/moto/bin/python"
