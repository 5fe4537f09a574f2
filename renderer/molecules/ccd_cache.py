"""What Prosector reads from biotite's Chemical Component Dictionary, kept as a small file in the
user cache folder (renderer/cache_dir.py): the bond templates of the residue names met so far, and
the CCD's lists of amino-acid and nucleotide names.

Why: biotite decodes its whole compressed CCD (tens of thousands of components) the first time a
process asks for any template -- about 7 s, paid by every `prosector` command that reads a
structure -- while a lesson's files use a few dozen residue names. The file is keyed by biotite's
version (its CCD ships with it), is safe to delete, and an unreadable or malformed one is ignored
and written again. Names missing from it are looked up in biotite's CCD and added.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from renderer.cache_dir import cache_folder, write_entry

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the layout below changes

Template = tuple[tuple[str, str, int], ...]  # (atom name, atom name, biotite BondType value)


def _cache_path():
    try:
        import biotite
    except ImportError:
        return None
    folder = cache_folder("molecules")
    return None if folder is None else folder / f"ccd-biotite-{biotite.__version__}-v{FORMAT}.json"


def _read() -> dict:
    """{"bonds": {name: [[a, b, order], ...]}, "amino": [...], "nucleic": [...]} or {} when absent
    or not what this version writes."""
    path = _cache_path()
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.debug("ignoring unreadable CCD cache %s: %s", path, exc)
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("bonds", {}), dict):
        return {}
    return data


def _write(data: dict) -> None:
    path = _cache_path()
    if path is not None:
        write_entry(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def _valid_template(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(b, list) and len(b) == 3 and isinstance(b[0], str) and isinstance(b[1], str)
        and isinstance(b[2], int) for b in value)  # fmt: skip


def _biotite_template(res_name: str) -> Template:
    import biotite.structure.info as info

    try:
        bonds = info.bonds_in_residue(res_name)
    except Exception:  # unknown to the CCD: the distance fallback bonds it
        return ()
    return tuple((a, b, int(order)) for (a, b), order in bonds.items())


_templates: dict[str, Template] = {}


def residue_templates(res_names: list[str]) -> dict[str, Template]:
    """{residue name: its CCD template bonds} ("()" for names the CCD does not know)."""
    missing = [n for n in dict.fromkeys(res_names) if n not in _templates]
    if missing:
        data = _read()
        stored = data.get("bonds", {})
        for name in missing:
            if _valid_template(stored.get(name)):
                _templates[name] = tuple(tuple(b) for b in stored[name])
        new = [n for n in missing if n not in _templates]
        if new:
            for name in new:
                _templates[name] = _biotite_template(name)
            stored = {k: v for k, v in stored.items() if _valid_template(v)}
            stored.update({name: [list(b) for b in _templates[name]] for name in new})
            _write({**data, "bonds": stored})
    return {name: _templates[name] for name in res_names}


@lru_cache(maxsize=1)
def component_names() -> tuple[frozenset, frozenset]:
    """(amino-acid names, nucleotide names) the CCD lists; empty sets when biotite cannot say."""
    data = _read()
    amino, nucleic = data.get("amino"), data.get("nucleic")
    if isinstance(amino, list) and isinstance(nucleic, list) and all(isinstance(n, str) for n in amino + nucleic):
        return frozenset(amino), frozenset(nucleic)
    try:
        import biotite.structure.info as info

        amino, nucleic = sorted(info.amino_acid_names()), sorted(info.nucleotide_names())
    except Exception:  # biotite absent or its CCD unreadable: the caller's standard names still classify
        return frozenset(), frozenset()
    _write({**_read(), "amino": amino, "nucleic": nucleic})
    return frozenset(amino), frozenset(nucleic)
