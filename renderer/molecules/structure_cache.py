"""Large structures read once: the arrays of a checked read kept under the user cache folder
(renderer/cache_dir.py, `molecules/structures`), so `prosector render` after `prosector new` (or a
second render) of a million-atom mmCIF does not parse, check and bond it again (~10 s).

Safety, as for the mesh cache (renderer/scene/mesh_cache.py): the cache wraps the checked read and
never replaces it. Only a structure the reader accepted is stored, found by the BLAKE2b digest of
the very bytes just read through the input checks, the model, the alternate-location rule and a
digest of the reading code (this package's modules and biotite's version), so an edited file or a
changed reader misses. Entries are checked before use (shapes, bond indices, finite coordinates);
anything odd is deleted and the file read again. Small structures (under MIN_ATOMS) are not stored:
they read in well under a second. The folder keeps at most MAX_BYTES, least recently used first out.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from renderer import cache_dir
from renderer.molecules.structure import PER_ATOM, Structure, packed_names

log = logging.getLogger("prosector.cache")
FORMAT = "structure-1"
MIN_ATOMS = 50_000
MAX_BYTES = 1 << 30
_STRINGS = ("elements", "atom_names", "res_names", "chain_ids", "secondary")  # stored as distinct values + codes


def entry_key(data: bytes, fmt: str, model: int, altloc: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in (FORMAT, _reader_digest(), fmt, str(model), altloc):
        digest.update(part.encode() + b"\0")
    digest.update(hashlib.blake2b(data, digest_size=20).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _reader_digest() -> str:
    """Digest of the code that decides what a read returns: every module of this package (readers,
    checks, templates, bonds, secondary structure) and biotite's version (its CCD)."""
    digest = hashlib.blake2b(digest_size=16)
    for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(source.read_bytes())
    try:
        import biotite

        digest.update(biotite.__version__.encode())
    except ImportError:
        pass
    return digest.hexdigest()


def _entry(key: str) -> Path | None:
    folder = cache_dir.cache_folder("molecules/structures")
    return None if folder is None else folder / f"{key}.npz"


def load(key: str, path: Path) -> Structure | None:
    """The stored structure for `key` (its `source` set to `path`), or None."""
    entry = _entry(key)
    if entry is None or not entry.is_file():
        return None
    try:
        with np.load(entry, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        structure = _structure(arrays, path)
    except (OSError, ValueError, KeyError, EOFError, IndexError, zipfile.BadZipFile) as exc:
        log.debug("ignoring unreadable structure cache entry %s: %s", entry, exc)
        structure = None
    if structure is None:
        entry.unlink(missing_ok=True)
        return None
    cache_dir.touch(entry)
    return structure


def store(key: str, structure: Structure) -> None:
    """Keep `structure` (a checked read) for `key` when it is large enough to be worth it."""
    entry = _entry(key)
    if entry is None or structure.atom_count < MIN_ATOMS:
        return
    arrays = {name: getattr(structure, name) for name in PER_ATOM if name not in _STRINGS}
    for name in _STRINGS:
        arrays[f"{name}.values"], arrays[f"{name}.codes"] = _factorised(getattr(structure, name))
    arrays.update(bonds=structure.bonds, bond_orders=structure.bond_orders,
                  model_count=np.array(structure.model_count), title=np.array(structure.title))  # fmt: skip
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    if cache_dir.write_entry(entry, buffer.getvalue()):
        cache_dir.prune(entry.parent, MAX_BYTES, "*.npz")


def _factorised(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, (N,) int32 codes) of a string column; short ASCII names are sorted as
    packed integers (a million strings sort in seconds, integers in a blink), same dtype kept."""
    packed = packed_names(names)
    if packed is None:
        values, codes = np.unique(names, return_inverse=True)
    else:
        unique, codes = np.unique(packed, return_inverse=True)
        values = unique.view("S8").astype(str).astype(names.dtype)
    return values, codes.ravel().astype(np.int32)


def _structure(arrays: dict, path: Path) -> Structure | None:
    fields = {name: arrays[name] for name in PER_ATOM if name not in _STRINGS}
    for name in _STRINGS:
        values, codes = arrays[f"{name}.values"], arrays[f"{name}.codes"]
        if values.dtype.kind != "U" or codes.dtype != np.int32 or (len(codes) and not 0 <= codes.min() <= codes.max()
                                                                   < len(values)):  # fmt: skip
            return None
        fields[name] = values[codes]
    n = len(fields["positions_a"])
    bonds, orders = arrays["bonds"], arrays["bond_orders"]
    if fields["positions_a"].shape != (n, 3) or any(len(v) != n for v in fields.values()) or n < MIN_ATOMS:
        return None
    if bonds.ndim != 2 or bonds.shape[1] != 2 or len(orders) != len(bonds) or (len(bonds) and not (
            0 <= bonds.min() and bonds.max() < n)) or not np.isfinite(fields["positions_a"]).all():  # fmt: skip
        return None
    return Structure(**fields, bonds=bonds.astype(np.int32), bond_orders=orders.astype(np.uint8), source=str(path),
                     model_count=int(arrays["model_count"]), title=str(arrays["title"]))  # fmt: skip


def warn_like_a_read(path: Path, structure: Structure) -> None:
    """The warnings a fresh read gives (renderer.molecules.outliers), for a structure from the cache."""
    from types import SimpleNamespace

    from renderer.molecules.outliers import warn_far_atoms

    names = SimpleNamespace(chain_id=structure.chain_ids, res_name=structure.res_names, res_id=structure.res_ids,
                            atom_name=structure.atom_names)  # fmt: skip
    warn_far_atoms(path, structure.positions_a, names)

