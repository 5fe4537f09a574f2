"""The README written beside the built library (tools/build_library.py): source, licence, what changed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TEXT = """# Real-anatomy library (BodyParts3D)

{parts} parts of a whole adult human body: {tissues}. Built by `tools/build_library.py` from the
BodyParts3D GLB conversions in `../shared/data/bodyparts3d` (rebuild: `python tools/build_library.py`;
deterministic). Find parts with `prosector library search WORD`, `prosector library list` and
`prosector library show ID`; use them in a scene with `library:` (docs/scene-format.md).

## Source and licence

BodyParts3D, (c) The Database Center for Life Science (DBCLS), https://lifesciencedb.jp/bp3d/ ,
licensed under Creative Commons Attribution-Share Alike 2.1 Japan (CC BY-SA 2.1 JP,
https://creativecommons.org/licenses/by-sa/2.1/jp/deed.en). The GLB conversions come from the
public repository aHer-dev/3DAnatomy. These derived meshes are distributed under the same licence,
with this attribution. (Prosector's code is MIT; this folder is CC BY-SA 2.1 JP.)

## What was changed

- Decimated with fast-simplification (quadric error) from {source_triangles:,} to {triangles:,}
  triangles: a share of a {budget} triangle budget proportional to each part's surface, bones at twice
  the density of muscles, at least 120 triangles a part. Normals are not stored (Prosector computes them).
- Millimetres to metres. Axes unchanged: the vertices are stored Y up, the face toward +Z, the
  patient's left toward +X, which is Prosector's convention; the files' +90 degree node rotation about
  X (a Z-up view) is not applied.
- Parts stored in another frame, found by their edge length (about 1/29 of their size, near the
  origin) and brought back into the body: {fixed}. One scale for all, fitted so that landmarks meet
  (sacrum base on the disc below L5, manubrium on the body of the sternum, axis on its disc); the
  mandible and the diaphragm are then moved (not scaled) so that they touch the bones around them
  without sinking into them. Excluded (no reliable place): {excluded}. Moved whole, not rotated, the
  mandible sits a little open and forward of the upper teeth, and the top of the manubrium a little
  in front of the first ribs (seen from the side); from the front both look right.
- Names: the English label of the source; ids from it (side first: `left_femur`). FMA ids kept.
  Tissue, region, body system and search keywords come from tools/library_vocabulary.py.
- Not in the source, so not here: the three intercostal muscles, the coccyx, internal organs, vessels,
  nerves and skin. The heart, lungs and liver in example scenes are schematic shapes
  (assets/anatomy-simple).

## Files

`catalogue.json`: every part's `id`, `name`, `fma`, `tissue` (a Prosector material preset), `region`,
`system`, `side`, `keywords`, `file`, `source` (the source file), `triangles`, `source_triangles`,
`bounds_m` (scene space: metres, Y up) and, for repaired parts, `frame_fix`. `parts/ID.glb`: one glTF
binary per part, one node named by the id, positions (float32, metres) and indices only.

| region | parts | triangles |
| --- | ---: | ---: |
{regions}

Size: {size_mib:.1f} MiB in all (budget: 20 MiB).
"""


def write(out: Path, catalogue: dict, budget: int) -> None:
    parts = catalogue["parts"]
    tissues = Counter(p["tissue"] for p in parts)
    regions = Counter(p["region"] for p in parts)
    triangles_by_region = Counter()
    for p in parts:
        triangles_by_region[p["region"]] += p["triangles"]
    rows = "\n".join(f"| {r} | {n} | {triangles_by_region[r]:,} |" for r, n in sorted(regions.items()))
    fixed = [p["name"]["en"] for p in parts if "frame_fix" in p]
    size = sum(p.stat().st_size for p in (out / "parts").glob("*.glb")) + (out / "catalogue.json").stat().st_size
    text = TEXT.format(parts=len(parts), tissues=", ".join(f"{n} {t}" for t, n in tissues.most_common()),
                       source_triangles=sum(p["source_triangles"] for p in parts),
                       triangles=sum(p["triangles"] for p in parts), budget=f"{budget:,}", fixed=", ".join(fixed),
                       excluded=", ".join(catalogue["excluded"]) or "none", regions=rows,
                       size_mib=size / 2**20)  # fmt: skip
    (out / "README.md").write_text(text, encoding="utf-8")
