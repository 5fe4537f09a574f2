#!/usr/bin/env bash
# Set up with the test extras and run every test: the main suite on the real Mesa driver, then the
# OpenXR tests against a real Monado runtime (when the harness is present; it needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
# The xr extra too: the suite must pass with pyopenxr installed (its import swaps PyOpenGL's platform).
bash tools/setup.sh test,xr
.venv/bin/python -m pytest -q "$@"
if [ "$(id -u)" -ne 0 ]; then
  echo "== XR tests skipped: they build a Debian root with a real OpenXR runtime (Monado), which needs root;"
  echo "   run them with: sudo bash tools/xr/test.sh"
elif [ -x tools/xr/test.sh ]; then
  bash tools/xr/test.sh
fi
