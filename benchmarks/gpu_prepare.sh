#!/usr/bin/env bash
# Run HERE (the CPU machine, which reaches Debian and PyPI), in the checkout that the device tool sends,
# before calling the device: it fills three ignored folders that the `run` call carries, because the GPU
# machine reaches no network at all (/work/.library/device/KINDS.md):
#   .gl/   the GL loader .debs (libglvnd's libEGL/libOpenGL): the device image has the NVIDIA driver's
#          libEGL_nvidia but no loader (recipe from /work/.library/device/README.md)
#   .whl/  wheels for the device's Python 3.12 of the packages its image lacks (PyOpenGL, trimesh, pydantic,
#          ...); numpy, scipy, numba, CuPy (cupy-cuda13x), cuda-bindings are already there.
#   .device-cache/  1hpv parsed by biotite, as arrays (biotite's wheel is too big to carry)
# Versions are the ones this checkout's .venv resolved, so the device runs what the tests ran.
# Usage: benchmarks/gpu_prepare.sh [PYTHON]   (PYTHON: the venv's python, default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
rm -rf .gl .whl .device-cache
mkdir -p .gl .whl .device-cache /tmp/amd64/partial

apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
apt-get "${apt_opts[@]}" update -qq
(cd .gl && apt-get "${apt_opts[@]}" download -qq libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)

# The packages of pyproject's dependencies that the device image does not hold, and theirs.
# biotite is left out: its wheel is 57 MB, over what a call carries; the campaign reads 1hpv from
# .device-cache instead (benchmarks/campaign/structure_cache.py).
# typing_extensions too: pydantic needs a recent one, and the device's may be older.
missing=(PyOpenGL trimesh pydantic pydantic_core annotated_types typing_inspection typing_extensions
         fontpkg-noto-sans glfw)
pins=$("$python" - "${missing[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
out = []
for name in sys.argv[1:]:
    try:
        out.append(f"{name}=={version(name)}")
    except PackageNotFoundError:
        pass  # not needed by this version of the project
print(" ".join(out))
PY
)
platforms=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64 manylinux_2_17_x86_64 \
         manylinux2014_x86_64 manylinux1_x86_64 any; do platforms+=(--platform "$p"); done
# shellcheck disable=SC2086
"$python" -m pip download -q --no-deps --only-binary=:all: --python-version "${PROSECTOR_DEVICE_PYVER:-3.12}" \
    --implementation cp \
    "${platforms[@]}" -d .whl $pins
"$python" benchmarks/campaign/structure_cache.py .device-cache/1hpv.npz
echo "prepared for the device run (carry: .gl .whl .device-cache):"
du -sh .gl .whl .device-cache
ls .gl .whl
