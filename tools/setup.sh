#!/usr/bin/env bash
# Set up Prosector on a fresh Debian/Ubuntu machine: system packages (Mesa EGL/OSMesa, Xvfb, fonts),
# a virtual environment in .venv, and Prosector installed into it (editable) with the given extras.
# Usage: bash tools/setup.sh [EXTRAS]    e.g. bash tools/setup.sh test,xr
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=${1:-}

DEBIAN_PACKAGES=(libegl1 libegl-mesa0 libgl1-mesa-dri libgles2 libopengl0 libosmesa6 xvfb xauth xdotool x11-apps fontconfig
                 fonts-noto-cjk fonts-dejavu-core python3-venv python3-pip
                 nodejs)  # `prosector export` runs gltfpack (WebAssembly, carried in the package) with Node.js

# Tests also read real PDB entries shipped by Debian's PyMOL data (CC0), and compare secondary
# structure with mkdssp (package dssp); benchmarks/bench_loading.py measures PyMOL (package pymol).
[[ ",$EXTRAS," == *",test,"* ]] && DEBIAN_PACKAGES+=(pymol-data dssp pymol)
# tests/test_open_tracing.py traces every open of hostile scenes with strace (C libraries' too).
[[ ",$EXTRAS," == *",test,"* ]] && DEBIAN_PACKAGES+=(strace)
# Tests open exported lesson pages in headless Chromium and run the Khronos glTF validator (npm).
[[ ",$EXTRAS," == *",test,"* ]] && DEBIAN_PACKAGES+=(chromium)
[[ ",$EXTRAS," == *",test,"* ]] && ! command -v npm >/dev/null && DEBIAN_PACKAGES+=(npm)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
      echo "setup: ask an administrator to run: apt-get install ${missing[*]}" >&2
      exit 1
    fi
    SUDO="sudo"
    echo "== installing Debian packages needs root; sudo may ask for your password"
  fi
  echo "== installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $($PYTHON --version)"
  $PYTHON -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
spec="."
[ -n "$EXTRAS" ] && spec=".[${EXTRAS}]"
echo "== installing prosector ${spec} into .venv"
.venv/bin/python -m pip install -q -e "$spec"
if [[ ",$EXTRAS," == *",test,"* ]] && [ ! -d web/node_modules/gltf-validator ]; then
  echo "== installing the web tools' npm packages (pinned in web/package-lock.json) for the tests"
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
