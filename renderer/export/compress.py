"""Quantise, meshopt-compress and (over budget) simplify a GLB with gltfpack, run by Node.js.

gltfpack (meshoptimizer's tool, MIT) ships as WebAssembly on npm; its three files are carried in the
package (renderer/export/dist/gltfpack, built by tools/build_web.sh) so only `node` is needed. It
writes KHR_mesh_quantization + EXT_meshopt_compression, which three.js, Babylon.js and model-viewer
decode. Without Node.js the file is written uncompressed, and the caller says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from renderer.errors import ProsectorError
from renderer.export.budgets import DeviceBudget

DIST = Path(__file__).parent / "dist"
CHECKOUT_PACKAGE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "gltfpack"
TIMEOUT_S = 600


def gltfpack_script() -> Path | None:
    for folder in (DIST / "gltfpack", CHECKOUT_PACKAGE):
        if (folder / "cli.js").is_file() and (folder / "library.wasm").is_file():
            return folder / "cli.js"
    return None


def node_executable() -> str | None:
    return shutil.which("node") or shutil.which("nodejs")


def compression_available() -> str | None:
    """None when gltfpack can run here, else why not (for the message to the user)."""
    if node_executable() is None:
        return "Node.js is not installed (Debian: apt-get install nodejs)"
    if gltfpack_script() is None:
        return "gltfpack is missing from this installation (rebuild with tools/build_web.sh)"
    return None


def compress(glb: bytes, budget: DeviceBudget, triangles: int) -> bytes:
    """The GLB quantised and meshopt-compressed; simplified to the budget's triangle count if above it."""
    reason = compression_available()
    if reason is not None:
        raise ProsectorError(f"cannot compress the glTF file: {reason}")
    with tempfile.TemporaryDirectory(prefix="prosector-gltf-") as folder:
        source, target = Path(folder) / "in.glb", Path(folder) / "out.glb"
        source.write_bytes(glb)
        command = [node_executable(), str(gltfpack_script()), "-i", str(source), "-o", str(target),
                   "-cc", "-kn", "-km", "-ke", "-vp", str(budget.position_bits)]  # fmt: skip
        if triangles > budget.max_triangles:
            ratio = budget.max_triangles / triangles * 0.98  # gltfpack lands a little above its target
            command += ["-si", f"{ratio:.4f}", "-sa"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise ProsectorError(f"gltfpack took more than {TIMEOUT_S} s; export with a smaller --device") from None
        if done.returncode != 0 or not target.is_file():
            raise ProsectorError(f"gltfpack failed: {(done.stderr or done.stdout).strip()[-800:]}")
        return target.read_bytes()
