"""The Khronos glTF validator (npm `gltf-validator`, run by Node.js) on a GLB: its report as a dict.

Only a checkout with `web/node_modules` (tools/build_web.sh or `npm ci --prefix web`) has it; tests
and benchmarks use it, exports do not need it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from renderer.export.compress import node_executable

WEB = Path(__file__).resolve().parents[2] / "web"


def validator_missing() -> str | None:
    """None when the validator can run here, else why not."""
    if node_executable() is None:
        return "Node.js is not installed"
    if not (WEB / "node_modules" / "gltf-validator").is_dir():
        return "web/node_modules has no gltf-validator (run: npm ci --prefix web)"
    return None


def validate_glb(data: bytes) -> dict:
    """{"issues": {"numErrors", "numWarnings", "messages": [...]}, "info": {...}}."""
    with tempfile.NamedTemporaryFile(suffix=".glb") as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run([node_executable(), str(WEB / "validate.mjs"), handle.name], capture_output=True,
                              text=True, timeout=300, cwd=WEB)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"gltf-validator failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout)
