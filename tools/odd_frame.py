"""Parts of the BodyParts3D set that are stored in another frame, found and brought back into the body.

Measured on the source: eight files (ethmoid, vomer, mandible, atlas, axis, manubrium, sacrum,
diaphragm) are about 1/29 of their size and sit near the origin, so combined with the rest they
land as specks between the feet. They are found by their edge length (a hundred times shorter
than any other part's), not by name. Each is scaled and moved onto the parts it meets:

1. a landmark start: one scale for all of them, fitted by least squares so that the sacrum's base
   meets the disc below L5, the manubrium meets the body of the sternum and the axis meets its
   disc; each group then moves so that its own landmark meets its target;
2. groups without a landmark (the mandible, the diaphragm) are then moved, not scaled, so that the
   closest tenth of their surface touches their neighbours while none of it sinks into them
   (signed distance along the neighbours' normals).
Odd parts without neighbours named here (the ethmoid and the vomer, inside the skull, which no fit
placed reliably) are excluded.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.spatial import cKDTree

# group -> (members moved together, own landmark, target part, target landmark, neighbour phrases)
GROUPS = {
    "sacrum": (("Sacrum",), "top", "Intervertebral disk of fifth lumbar vertebra", "bottom",
               ("hip bone", "fifth lumbar")),
    "manubrium": (("Manubrium",), "bottom", "Body of sternum", "top",
                  ("body of sternum", "clavicle", "first costal cartilage", "second costal cartilage", "first rib")),
    "atlas_axis": (("Axis", "Atlas"), "bottom", "Intervertebral disk of axis", "top",
                   ("occipital bone", "third cervical vertebra", "intervertebral disk of axis")),
    "mandible": (("Mandible",), None, None, None, ("maxilla", "temporal bone")),
    "diaphragm": (("Diaphragm",), None, None, None,
                  ("sixth rib", "seventh rib", "eighth rib", "ninth rib", "tenth rib", "eleventh rib", "twelfth rib",
                   "seventh costal", "sixth costal", "body of sternum", "first lumbar", "second lumbar",
                   "twelfth thoracic", "eleventh thoracic")),
}  # fmt: skip
MAX_POINTS = 4000


def median_edge_mm(vertices: np.ndarray, faces: np.ndarray) -> float:
    return float(np.median(np.linalg.norm(vertices[faces[:, 0]] - vertices[faces[:, 1]], axis=1)))


def find_odd(parts: list[dict]) -> list[dict]:
    """Parts whose median edge is under a tenth of the set's median edge (a different unit/frame)."""
    edges = np.array([median_edge_mm(p["vertices"], p["faces"]) for p in parts])
    typical = float(np.median(edges))
    return [p for p, e in zip(parts, edges, strict=True) if e < typical / 10]


def _landmark(vertices: np.ndarray, which: str, fraction: float = 0.05) -> np.ndarray:
    y = vertices[:, 1]
    chosen = vertices[y >= np.quantile(y, 1 - fraction)] if which == "top" else vertices[y <= np.quantile(y, fraction)]
    return chosen.mean(axis=0)


def _normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    c = vertices[faces]
    n = np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0])
    out = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(out, faces[:, k], n)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _contact_cost(verts: list[np.ndarray], neighbours: list[dict]):
    """cost(shift) in mm of moving the points `verts` by `shift` (3,): the mean distance of their closest
    tenth to the neighbours' vertices, plus four times the mean depth of those inside a neighbour
    (signed distance along the neighbours' vertex normals)."""
    vertices = np.concatenate([p["vertices"] for p in neighbours])
    offsets = np.cumsum([0] + [len(p["vertices"]) for p in neighbours[:-1]])
    faces = np.concatenate([p["faces"] + o for p, o in zip(neighbours, offsets, strict=True)])
    normals = _normals(vertices, faces)
    tree = cKDTree(vertices)
    points = np.concatenate(verts)
    points = points[np.linspace(0, len(points) - 1, min(MAX_POINTS, len(points))).astype(int)]

    def cost(shift: np.ndarray) -> float:
        moved = points + shift
        distance, index = tree.query(moved)
        signed = np.einsum("ij,ij->i", moved - vertices[index], normals[index])
        inside = np.clip(-signed, 0.0, None)[distance < 15.0]  # only near the neighbour's surface
        closest = np.sort(distance)[: max(len(distance) // 10, 1)]
        return float(closest.mean() + 4.0 * inside.mean() if len(inside) else closest.mean())

    return cost


def repair(parts: list[dict]) -> tuple[dict[str, str], set[str]]:
    """Fix the odd parts' vertices in place. Returns ({label: what was done}, labels to exclude)."""
    by_label = {p["label"]: p for p in parts}
    odd = {p["label"] for p in find_odd(parts)}
    named = {m for members, *_ in GROUPS.values() for m in members}
    excluded = odd - named  # odd parts this module has no neighbours for
    # 1. one scale for the set, from the landmark pairs
    pairs = [(_landmark(by_label[members[0]]["vertices"], own), _landmark(by_label[target]["vertices"], theirs))
             for members, own, target, theirs, _ in GROUPS.values() if target and members[0] in odd]  # fmt: skip
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    ac, bc = a - a.mean(axis=0), b - b.mean(axis=0)
    scale = float((ac * bc).sum() / (ac * ac).sum())
    shift = b.mean(axis=0) - scale * a.mean(axis=0)
    done: dict[str, str] = {}
    for name, (members, own, target, theirs, phrases) in GROUPS.items():
        members = [m for m in members if m in odd]
        if not members:
            continue
        verts = [by_label[m]["vertices"] * scale + shift for m in members]
        if target:  # the group's own landmark onto its target
            verts = [v + _landmark(by_label[target]["vertices"], theirs) - _landmark(verts[0], own) for v in verts]
        neighbours = [p for p in parts if p["label"] not in odd and any(f in p["label"].lower() for f in phrases)]
        cost = _contact_cost(verts, neighbours)
        move = np.zeros(3)
        if not target:  # no landmark: move it (the common scale holds; a free scale inflated the skull's parts)
            simplex = np.vstack([np.zeros(3), np.eye(3) * 10.0])  # first steps of 10 mm
            move = minimize(cost, move, method="Nelder-Mead",
                             options={"initial_simplex": simplex, "xatol": 0.05, "fatol": 0.01, "maxiter": 800}).x
        touching = ", ".join(sorted({p["label"] for p in neighbours})[:4])
        for member, v in zip(members, verts, strict=True):
            by_label[member]["vertices"] = v + move
            done[member] = (f"stored at about 1/{scale:.0f} of its size in another frame: scaled by {scale:.2f} "
                            f"and moved onto {touching}, ...")  # fmt: skip
        print(f"  {name}: scale {scale:.2f}, contact cost {cost(np.zeros(3)):.2f} -> {cost(move):.2f} mm")
    return done, excluded
