#!/usr/bin/env bash
# Set up with the test extras and run every test: the main suite on the real Mesa driver, then the
# OpenXR tests against a real Monado runtime (when the harness is present; it needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh test,molecules
.venv/bin/python -m pytest -q "$@"
if [ -x tools/xr/test.sh ]; then
  bash tools/xr/test.sh
fi
