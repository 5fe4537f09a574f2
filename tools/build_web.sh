#!/usr/bin/env bash
# Rebuild the web lesson viewer and the gltfpack it uses into renderer/export/dist (committed, so
# wheels and CI need no npm build). Needs Node.js and npm; versions pinned in web/package-lock.json.
# Usage: bash tools/build_web.sh
set -euo pipefail
cd "$(dirname "$0")/../web"
npm ci --no-audit --no-fund --loglevel=error
node build.mjs
echo "== built $(cd ../renderer/export/dist && ls | tr '\n' ' ')"
