#!/usr/bin/env bash
# Run the XR tests against a real OpenXR runtime (Monado), headless: build or refresh the cached
# trixie root if needed, then run pytest on tests/xr inside it. Extra arguments go to pytest.
# This is what CI (.ci/run) and the README call; it needs root.
#
#   tools/xr/test.sh                  # everything
#   tools/xr/test.sh -k remote -x     # a subset
set -euo pipefail

HERE=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

"$HERE/root.sh"
# PROSECTOR_XR_REQUIRE=1: inside the root a missing runtime is an error, not a skip.
# -p no:cacheprovider: do not leave a root-owned .pytest_cache in the checkout.
PROSECTOR_XR_REQUIRE=1 exec "$HERE/run-in-root.sh" python -m pytest -q -p no:cacheprovider tests/xr "$@"
