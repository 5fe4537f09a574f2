"""Hostile scenes and meshes, written into a tools.fuzz sandbox: every reference names something a scene
must never read (outside the folder, devices, pipes, a 6 GiB sparse file, /etc/passwd, URLs).

`write_hostile_cases(sandbox)` returns the scene files to load; run as a script
(`python tests/hostile_cases.py SANDBOX`) it loads each of them and prints one outcome per line,
which the open-tracing test runs under strace (or an audit hook).
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.fuzz.mutate import HOSTILE_REFERENCES  # noqa: E402

REAL_MESH = ROOT / "assets" / "anatomy-simple" / "arm.glb"
OUTSIDE = ("outside/secret.bin",)


def gltf_naming(buffer_uri: str | None = None, image_uri: str | None = None) -> bytes:
    """A one-triangle glTF whose buffer (and optionally texture image) is the given URI."""
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    tree = {
        "asset": {"version": "2.0"}, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "buffers": [{"uri": buffer_uri or "tri.bin", "byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteLength": len(positions)}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                       "min": [0, 0, 0], "max": [1, 1, 0]}],
    }  # fmt: skip
    if image_uri is not None:
        tree["images"] = [{"uri": image_uri}]
        tree["textures"] = [{"source": 0}]
        tree["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
        tree["meshes"][0]["primitives"][0]["material"] = 0
    return json.dumps(tree).encode()


def write_hostile_cases(scenes: Path) -> list[Path]:
    """Scene files (and the meshes they name) in the sandbox's `scenes` folder; returns the scenes."""
    (scenes / "tri.bin").write_bytes(struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0))
    (scenes / "arm.glb").write_bytes(REAL_MESH.read_bytes())
    (scenes / "control.gltf").write_bytes(gltf_naming())  # a benign side file: the tracer must see tri.bin
    (scenes / "case-control.yaml").write_text("version: 1\nparts:\n  p: {mesh: control.gltf}\n")
    cases = [scenes / "case-control.yaml"]
    for number, reference in enumerate(HOSTILE_REFERENCES):
        quoted = json.dumps(reference)
        texts = {
            "mesh": f"version: 1\nparts:\n  p: {{mesh: {quoted}}}\n",
            "molecule": f"version: 1\nmolecules:\n  m: {{path: {quoted}, format: pdb}}\n",
            "include": f"version: 1\ninclude: [{quoted}]\nparts: {{p: {{mesh: arm.glb}}}}\n",
            "mask": f"version: 1\nparts:\n  p:\n    mesh: arm.glb\n"
                    f"    material: {{preset: skin, alpha_mask: {quoted}}}\n",
        }  # fmt: skip
        (scenes / f"buffer-{number}.gltf").write_bytes(gltf_naming(buffer_uri=reference))
        (scenes / f"image-{number}.gltf").write_bytes(gltf_naming(image_uri=reference))
        triangle = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"
        (scenes / f"mtllib-{number}.obj").write_bytes(f"mtllib {reference}\n{triangle}".encode())
        (scenes / f"map-{number}.mtl").write_bytes(f"newmtl a\nmap_Kd {reference}\n".encode())
        (scenes / f"map-{number}.obj").write_bytes(f"mtllib map-{number}.mtl\nusemtl a\nv 0 0 0\nv 1 0 0\nv 0 1 0\n"
                                                   "f 1 2 3\n".encode())  # fmt: skip
        for kind in ("buffer", "image", "mtllib", "map"):
            suffix = "gltf" if kind in ("buffer", "image") else "obj"
            texts[kind] = f"version: 1\nparts:\n  p: {{mesh: {kind}-{number}.{suffix}}}\n"
        for kind, text in texts.items():
            path = scenes / f"case-{kind}-{number}.yaml"
            path.write_text(text)
            cases.append(path)
    return cases


def main(sandbox: Path) -> None:
    from renderer.errors import SceneError
    from renderer.scene.load import load_scene

    for path in sorted((sandbox / "scenes").glob("case-*.yaml")):
        try:
            load_scene(path, load_assets=True)
            outcome = "accepted"
        except SceneError as exc:
            outcome = "clean: " + str(exc).splitlines()[0][-160:]
        print(f"{path.name}\t{outcome}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
