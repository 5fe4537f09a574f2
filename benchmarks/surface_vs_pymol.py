"""Molecular surfaces against PyMOL's, in the same run: `python benchmarks/surface_vs_pymol.py`.

PyMOL (Debian's `pymol`, run as `pymol -cq`) writes its molecular surface of a structure's protein
atoms (no hydrogens, waters or hetero groups; probe 1.4 Å, `surface_quality 1`) as an OBJ file, with
an identity view so the file is in the PDB's coordinates. Then Prosector's molecular (SES) surface
and its Gaussian surface are made from the same atoms and the same Bondi radii, and compared:

- distance: for every vertex of one surface, the distance to the tangent plane at the nearest vertex
  of the other (both meshes are dense, 0.2-0.5 Å between vertices), both ways: mean and 95th percentile;
- enclosed volume (divergence theorem over the triangles) and area;
- seconds to build each surface (PyMOL's time is its whole process: start, load, surface, save).

Without PyMOL the Prosector figures are printed alone. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer.molecules.io import read_structure  # noqa: E402
from renderer.molecules.palette import vdw_radii  # noqa: E402
from renderer.molecules.ses_surface import solvent_excluded_surface  # noqa: E402
from renderer.molecules.surface import molecular_surface  # noqa: E402

PYMOL_SCRIPT = """load {pdb}, m
remove solvent
remove hetatm
remove hydro
set surface_quality, {quality}
set solvent_radius, 1.4
hide everything
show surface
set_view (1,0,0, 0,1,0, 0,0,1, 0,0,-120, 0,0,0, 100,140,0)
save {obj}
"""


def pymol_surface(pdb: Path, quality: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """PyMOL's surface as (vertices (V, 3), normals (V, 3), faces (F, 3)) and its wall-clock seconds."""
    if shutil.which("pymol") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "surface.obj"
        script = Path(tmp) / "surface.pml"
        script.write_text(PYMOL_SCRIPT.format(pdb=pdb, obj=obj, quality=quality))
        # Debian's wrapper runs `python3 -m pymol`: the system interpreter, not a virtual environment's.
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp}
        start = time.perf_counter()
        subprocess.run(["pymol", "-cq", str(script)], check=True, env=env, capture_output=True, timeout=600)
        seconds = time.perf_counter() - start
        vertices, normals, faces = [], [], []
        for line in obj.read_text().splitlines():
            if line.startswith("v "):
                vertices.append(line.split()[1:4])
            elif line.startswith("vn "):
                normals.append(line.split()[1:4])
            elif line.startswith("f "):
                faces.append([int(v.split("/")[0]) - 1 for v in line.split()[1:4]])
    return np.array(vertices, float), np.array(normals, float), np.array(faces, int), seconds


def plane_distances(points: np.ndarray, ref_vertices: np.ndarray, ref_normals: np.ndarray) -> np.ndarray:
    """(P,) distance from each point to the tangent plane at its nearest reference vertex."""
    _, nearest = cKDTree(ref_vertices).query(points)
    n = ref_normals[nearest] / np.linalg.norm(ref_normals[nearest], axis=1, keepdims=True)
    return np.abs(np.einsum("ij,ij->i", points - ref_vertices[nearest], n))


def volume_and_area(vertices: np.ndarray, faces: np.ndarray) -> tuple[float, float]:
    p = vertices[faces]
    cross = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    volume = abs(float(np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2])).sum()) / 6.0)
    return volume, float(np.linalg.norm(cross, axis=1).sum() / 2.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdb", type=Path, default=ROOT / "assets" / "molecules" / "1hpv.pdb")
    parser.add_argument("--spacing", type=float, nargs="+", default=[0.5, 0.35], help="SES grid spacings, Å")
    parser.add_argument("--quality", type=int, default=1, help="PyMOL surface_quality")
    args = parser.parse_args()

    structure = read_structure(args.pdb)
    protein = structure.is_amino_acid & (structure.elements != "H")
    centres, radii = structure.positions_a[protein], vdw_radii(structure)[protein]
    colors = np.ones((len(centres), 3), np.float32)
    print(f"{args.pdb.name}: {int(protein.sum())} protein heavy atoms")
    reference = pymol_surface(args.pdb.resolve(), args.quality)
    rows = []
    if reference is not None:
        pv, pn, pf, seconds = reference
        volume, area = volume_and_area(pv, pf)
        rows.append(("PyMOL 2.5 molecular surface", seconds, len(pv), volume, area, None))
    builds = [(f"Prosector SES, {h} Å grid", lambda h=h: solvent_excluded_surface(centres, radii, colors, spacing_a=h))
              for h in args.spacing]  # fmt: skip
    builds.append(("Prosector Gaussian", lambda: molecular_surface(centres, radii, colors)))
    for name, build in builds:
        start = time.perf_counter()
        mesh = build()
        seconds = time.perf_counter() - start
        vertices, faces = mesh.positions.astype(float), mesh.indices.reshape(-1, 3).astype(int)
        volume, area = volume_and_area(vertices, faces)
        distances = None
        if reference is not None:
            there = plane_distances(vertices, pv, pn)
            back = plane_distances(pv, vertices, mesh.normals.astype(float))
            distances = (there.mean(), np.percentile(there, 95), back.mean(), np.percentile(back, 95))
        rows.append((name, seconds, len(vertices), volume, area, distances))
    base_volume = rows[0][3] if reference is not None else None
    print("| surface | seconds | vertices | volume Å^3 | vs PyMOL | area Å^2 | to PyMOL mean / p95 | "
          "from PyMOL mean / p95 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")  # fmt: skip
    for name, seconds, count, volume, area, d in rows:
        ratio = f"{volume / base_volume - 1:+.1%}" if base_volume else "-"
        there = f"{d[0]:.3f} / {d[1]:.3f} Å" if d else "-"
        back = f"{d[2]:.3f} / {d[3]:.3f} Å" if d else "-"
        print(f"| {name} | {seconds:.2f} | {count:,} | {volume:,.0f} | {ratio} | {area:,.0f} | {there} | {back} |")


if __name__ == "__main__":
    main()
