"""Finding the label font: Noto Sans CJK (Debian/Ubuntu package `fonts-noto-cjk`).

One font file covers Latin, Greek, Cyrillic and Chinese/Japanese/Korean, so a label in any of the
languages teachers use renders without per-script font fallback. The `.ttc` collection holds one
face per CJK region; Chinese, Japanese and Korean differ in glyph shapes for the same characters,
so the face follows the label language.
"""

from __future__ import annotations

import os
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
INSTALL_HINT = ("labels need the Noto Sans CJK font: install it with `sudo apt install fonts-noto-cjk` "
                "(Debian/Ubuntu), or point PROSECTOR_LABEL_FONT at a .ttc/.otf file")  # fmt: skip


@lru_cache(maxsize=1)
def label_font_path() -> Path:
    """The font file: $PROSECTOR_LABEL_FONT, else fontconfig's match, else a known path."""
    override = os.environ.get("PROSECTOR_LABEL_FONT")
    if override:
        path = Path(override)
        if not path.is_file():
            raise ProsectorError(f"PROSECTOR_LABEL_FONT={override} is not a file; {INSTALL_HINT}")
        return path
    found = _fontconfig_match()
    if found is not None:
        return found
    for candidate in KNOWN_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise ProsectorError(INSTALL_HINT)


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
    return FACES.get(lang, FACES.get(lang.split("-")[0], DEFAULT_FACE))
