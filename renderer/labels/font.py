"""Finding the label font: Noto Sans CJK (Debian/Ubuntu package `fonts-noto-cjk`) when it is there.

One font file covers Latin, Greek, Cyrillic and Chinese/Japanese/Korean, so a label in any of the
languages teachers use renders without per-script font fallback. The `.ttc` collection holds one
face per CJK region; Chinese, Japanese and Korean differ in glyph shapes for the same characters,
so the face follows the label language.

Without it, labels fall back to Noto Sans (a core dependency, `fontpkg-noto-sans`, so a plain pip
install always has a font for Latin, Greek and Cyrillic), then the system's DejaVu Sans. Only a
label that needs CJK glyphs then gets a warning, once per process: Latin scenes need no CJK font.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from renderer.errors import ProsectorError

KNOWN_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/Supplemental/NotoSansCJK-Regular.ttc",
)
# Face index inside NotoSansCJK-*.ttc, by language (region variants of the Han glyphs).
FACES = {"ja": 0, "ko": 1, "zh": 2, "zh-CN": 2, "zh-SG": 2, "zh-Hans": 2, "zh-TW": 3, "zh-Hant": 3, "zh-HK": 4}
DEFAULT_FACE = 2  # Simplified Chinese face; Latin and Cyrillic are the same in every face
INSTALL_HINT = ("labels in Chinese, Japanese or Korean need the Noto Sans CJK font: install it with "
                "`sudo apt install fonts-noto-cjk` (Debian/Ubuntu), or point PROSECTOR_LABEL_FONT at a .ttc/.otf file")
LATIN_FALLBACKS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora
)
# Han, kana, Hangul, CJK punctuation and full-width forms: what a Latin fallback font lacks.
_CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]")
_warned_cjk = False
log = logging.getLogger("prosector.labels")


@lru_cache(maxsize=1)
def label_font_path() -> Path:
    """The font file: $PROSECTOR_LABEL_FONT, else Noto Sans CJK (fontconfig's match, else a known
    path), else the bundled Noto Sans, else DejaVu Sans."""
    override = os.environ.get("PROSECTOR_LABEL_FONT")
    if override:
        path = Path(override)
        if not path.is_file():
            raise ProsectorError(f"PROSECTOR_LABEL_FONT={override} is not a file; {INSTALL_HINT}")
        return path
    found = cjk_font_path()
    if found is not None:
        return found
    for candidate in (_noto_sans_path(), *map(Path, LATIN_FALLBACKS)):
        if candidate is not None and candidate.is_file():
            return candidate
    raise ProsectorError("no font for labels was found: reinstall Prosector (it depends on fontpkg-noto-sans) "
                         "or install fonts-dejavu-core; " + INSTALL_HINT)  # fmt: skip


@lru_cache(maxsize=1)
def cjk_font_path() -> Path | None:
    """Noto Sans CJK if this machine has it."""
    found = _fontconfig_match()
    if found is not None:
        return found
    for candidate in KNOWN_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def has_cjk_font() -> bool:
    path = label_font_path()
    return path == cjk_font_path() or bool(os.environ.get("PROSECTOR_LABEL_FONT"))


def check_glyphs(text: str) -> None:
    """Warn once when `text` needs CJK glyphs that the label font does not have."""
    global _warned_cjk
    if _warned_cjk or not _CJK.search(text) or has_cjk_font():
        return
    _warned_cjk = True
    log.warning("%s; without it these labels show empty boxes (first one: %r)", INSTALL_HINT, text[:40])


def _noto_sans_path() -> Path | None:
    """Noto Sans from the `fontpkg-noto-sans` wheel (OFL), found by its package folder."""
    try:
        from importlib.resources import files

        folder = files("fontpkg_noto_sans") / "files"
        for entry in folder.iterdir():
            if entry.name.startswith("NotoSans[") and entry.name.endswith(".ttf"):
                return Path(str(entry))
    except (ModuleNotFoundError, OSError, TypeError):
        return None
    return None


def _fontconfig_match() -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run([fc_match, "-f", "%{file}", "Noto Sans CJK SC:style=Regular"], capture_output=True,
                             text=True, timeout=10, check=False).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(out) if out else None
    # fc-match always answers something; accept it only if it really is Noto Sans CJK.
    return path if path and path.is_file() and "NotoSansCJK" in path.name else None


def face_index(lang: str) -> int:
    """The face of the label font for `lang`: a region face in a `.ttc` collection, else 0."""
    if label_font_path().suffix.lower() != ".ttc":
        return 0
    return FACES.get(lang, FACES.get(lang.split("-")[0], DEFAULT_FACE))
