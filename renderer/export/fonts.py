"""A font for the page's text, subset to the characters the lesson uses, embedded as a data URL.

The page must read the same on a school PC with no CJK font: Noto Sans CJK (which covers Latin,
Greek, Cyrillic, Chinese, Japanese and Korean) is cut down with fontTools to the few hundred glyphs
the lesson needs (tens to hundreds of kB instead of 20 MB) and embedded in the page. Without
fontTools or without Noto on the exporting machine, the page falls back to a CSS font stack
(Noto Sans CJK, then the systems' own CJK fonts); a viewer with none of them shows boxes for CJK.
"""

from __future__ import annotations

import base64
import io
import logging
import subprocess
from pathlib import Path

FAMILY = "Prosector Text"
FONT_STACK = (f'"{FAMILY}", "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans CJK JP", "Source Han Sans SC", '
              '"PingFang SC", "Hiragino Sans", "Microsoft YaHei", "Yu Gothic", "Malgun Gothic", '
              'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif')  # fmt: skip
CANDIDATES = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
              Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
              Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"))  # fmt: skip
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "←→✓✗…–—·°µÅ’“”"
log = logging.getLogger(__name__)


def find_noto_cjk() -> Path | None:
    for path in CANDIDATES:
        if path.is_file():
            return path
    try:
        done = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True,
                              timeout=10)  # fmt: skip
        found = Path(done.stdout.strip())
        return found if "CJK" in found.name and found.is_file() else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def font_face_css(text: str) -> tuple[str, str]:
    """(CSS @font-face rule or "", what was done, for the export's report)."""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTCollection, TTFont
    except ImportError:
        return "", "no embedded font (install prosector[web] for fontTools); CSS font stack only"
    source = find_noto_cjk()
    if source is None:
        return "", "no embedded font (Noto Sans CJK not found on this machine); CSS font stack only"
    chars = sorted(set(text + ALWAYS) - set("\n\r\t"))
    if source.suffix.lower() == ".ttc":
        collection = TTCollection(str(source), lazy=True)
        names = [f["name"].getDebugName(1) or "" for f in collection.fonts]
        number = next((i for i, n in enumerate(names) if n.endswith("SC")), 0)
        font = TTFont(str(source), fontNumber=number)
    else:
        font = TTFont(str(source))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    try:
        import brotli  # noqa: F401  (woff2 needs it)

        options.flavor, mime, fmt = "woff2", "font/woff2", "woff2"
    except ImportError:
        options.flavor, mime, fmt = "woff", "font/woff", "woff"
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chars))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = options.flavor
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    css = (f'@font-face {{ font-family: "{FAMILY}"; font-display: block; '
           f'src: url(data:{mime};base64,{data}) format("{fmt}"); }}')  # fmt: skip
    size_kb = len(buffer.getvalue()) / 1024
    return css, f"embedded {source.name} subset to {len(chars)} characters ({size_kb:.0f} kB {fmt})"
