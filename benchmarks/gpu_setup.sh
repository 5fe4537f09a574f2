#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root (benchmarks/gpu_campaign.py calls it unless --no-setup):
# unpacks the carried GL loader .debs into / and installs the carried wheels into /tmp/site. No network:
# both folders come from benchmarks/gpu_prepare.sh, run beforehand on the CPU machine. Prints, last, the
# environment the campaign must run with (KEY=VALUE lines after a line "env:").
# Takes a few seconds; every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
site=${PROSECTOR_DEVICE_SITE:-/tmp/site}
root=${PROSECTOR_DEVICE_ROOT:-/}    # where the .debs are unpacked (a test can point it elsewhere)
python=${PYTHON:-python3}          # the campaign passes its own interpreter
if compgen -G ".gl/*.deb" >/dev/null; then
    for f in .gl/*.deb; do dpkg -x "$f" "$root"; done
    if [ "$root" = / ]; then ldconfig; fi
    echo "unpacked $(ls .gl/*.deb | wc -l) GL loader packages"
else
    echo "no .gl/*.deb carried: using the GL loader the machine has (if any)"
fi
if compgen -G ".whl/*.whl" >/dev/null; then
    "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" .whl/*.whl
    echo "installed $(ls .whl/*.whl | wc -l) wheels into $site"
else
    echo "no .whl/*.whl carried: the machine's Python must already have the project's dependencies"
fi
echo "env:"
echo "PROSECTOR_DEVICE_SITE=$site"
# The NVIDIA driver's glvnd/EGL vendor files live under /usr/local/nvidia on the lent machines.
vendor=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -f "$vendor" ] && [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ]; then
    echo "__EGL_VENDOR_LIBRARY_FILENAMES=$vendor"
fi
