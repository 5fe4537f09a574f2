"""Language codes in scene files and in `--lang`: which are valid BCP 47, and what a teacher meant.

What counts as valid (a subset of BCP 47, RFC 5646, enough for lesson texts):
- a language subtag: a two-letter ISO 639-1 code (`zh`, `en`, `pt`), or a three-letter ISO 639-2/3
  code for a language that has no two-letter one (`yue`, `fil`, `haw`); BCP 47 requires the short code
  where one exists, so `zho`, `eng`, `deu` are pointed to `zh`, `en`, `de`;
- optionally a region (two letters, upper case: `zh-CN`, `pt-BR`; or three digits: `es-419`) or a
  script (four letters, capitalised: `zh-Hans`).
`zh-CN` is therefore valid (Chinese as used in China), and so is `ch` (Chamorro), though a lesson
that writes `ch` almost always meant Chinese; such look-alikes of country codes get a warning that
names both. `cn` (China's country code) is not a language.
"""

from __future__ import annotations

import re

ISO_639_1 = set(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee "
    "el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is "
    "it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms "
    "mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk "
    "sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu".split()
)
# Three-letter codes of languages without a two-letter one (a selection; others are warned about).
ISO_639_3_ONLY = set(
    "ast ceb chr ckb cmn fil gsw hak haw kab kok lzh mai mni nan nds nso sat scn sco smn tzm wuu yue zza".split()
)
# Three-letter codes (ISO 639-2 B and T) of languages that BCP 47 writes with two letters.
LONG_TO_SHORT = {
    "eng": "en", "zho": "zh", "chi": "zh", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es",
    "por": "pt", "ita": "it", "jpn": "ja", "kor": "ko", "rus": "ru", "ara": "ar", "hin": "hi", "nld": "nl",
    "dut": "nl", "swe": "sv", "pol": "pl", "tur": "tr", "vie": "vi", "tha": "th", "ell": "el", "gre": "el",
    "heb": "he", "ces": "cs", "cze": "cs", "ukr": "uk", "fas": "fa", "per": "fa", "ind": "id", "msa": "ms",
}  # fmt: skip
# Country codes (and retired codes) written where a language was meant: code -> (what it is, meant).
LOOK_ALIKES = {
    "ch": ("Chamorro (CH is Switzerland)", "zh"), "cn": ("China's country code", "zh"),
    "tw": ("Twi (TW is Taiwan)", "zh-TW"), "hk": ("Hong Kong's country code", "zh-HK"),
    "jp": ("Japan's country code", "ja"), "kr": ("Kanuri (KR is Korea)", "ko"), "gr": ("Greece's country code", "el"),
    "cz": ("the Czech Republic's country code", "cs"), "dk": ("Denmark's country code", "da"),
    "se": ("Northern Sami (SE is Sweden)", "sv"), "ua": ("Ukraine's country code", "uk"),
    "vn": ("Vietnam's country code", "vi"), "br": ("Breton (BR is Brazil)", "pt-BR"),
    "iw": ("the retired code for Hebrew", "he"), "in": ("the retired code for Indonesian", "id"),
    "ji": ("the retired code for Yiddish", "yi"), "il": ("Israel's country code", "he"),
    "ir": ("Iran's country code", "fa"), "us": ("the United States' country code", "en"),
    "gb": ("the United Kingdom's country code", "en"), "sp": ("not a code", "es"),
    "ge": ("Georgia's country code", "ka"), "rs": ("Serbia's country code", "sr"),
    "al": ("Albania's country code", "sq"), "at": ("Austria's country code", "de"),
    "mx": ("Mexico's country code", "es-MX"), "pk": ("Pakistan's country code", "ur"),
}  # fmt: skip
_TAG = re.compile(r"^(?P<lang>[A-Za-z]{2,3})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|\d{3}))?$")
TEXT_KEYS = {"title", "name", "description", "text", "prompt", "hint"}


def language_warning(code: str) -> str | None:
    """Why `code` is probably not what the teacher meant, with the code to write; None when fine."""
    match = _TAG.match(code)
    if not match:
        return f"'{code}' is not a BCP 47 language code such as en, zh, zh-CN, pt-BR"
    lang, script, region = match.group("lang"), match.group("script"), match.group("region")
    tail = (f"-{script}" if script else "") + (f"-{region}" if region else "")
    canonical = lang.lower() + (f"-{script.title()}" if script else "") + (f"-{region.upper()}" if region else "")
    lower = lang.lower()
    if lower in LOOK_ALIKES and not tail:
        what, meant = LOOK_ALIKES[lower]
        return f"'{code}' is {what}; did you mean '{meant}'?"
    if lower in LONG_TO_SHORT:
        return f"'{code}': BCP 47 writes this language with two letters; did you mean '{LONG_TO_SHORT[lower]}{tail}'?"
    if lower not in ISO_639_1 and lower not in ISO_639_3_ONLY:
        meant = LOOK_ALIKES.get(lower, (None, None))[1]
        hint = f"; did you mean '{meant}'?" if meant else "; see the IANA language subtag registry"
        return f"'{code}' is not a language code I know{hint}"
    if canonical != code:
        return f"'{code}': write it '{canonical}' (language in lower case, region in upper case)"
    return None


def same_language(a: str, b: str) -> bool:
    """True when two codes name the same language (`zh` and `zh-CN` do; `zh-CN` and `zh-TW` do not)."""
    a, b = a.lower(), b.lower()
    return a == b or a.split("-")[0] == b or b.split("-")[0] == a


def text_languages(data) -> list[tuple[tuple, str]]:
    """(path of the key, code) of every language key of a multilingual text in a scene document,
    plus the scene's `language` value (path ("language",))."""
    found: list[tuple[tuple, str]] = []

    def walk(node, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in TEXT_KEYS and isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                    found.extend(((*path, key, code), str(code)) for code in value)
                else:
                    walk(value, (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, (*path, index))

    walk(data, ())
    if isinstance(data, dict) and isinstance(data.get("language"), str):
        found.insert(0, (("language",), data["language"]))
    return found


def scene_languages(data) -> list[str]:
    """The languages a scene document has texts in, in order of first use."""
    return list(dict.fromkeys(code for _path, code in text_languages(data)))


def check_requested_language(requested: str, available: list[str]) -> str | None:
    """Why `--lang requested` cannot be honoured by a scene with texts in `available`, or None."""
    if any(same_language(requested, code) for code in available):
        return None
    warning = language_warning(requested)
    hint = f" ({warning})" if warning else ""
    return f"--lang {requested}: the scene has no texts in '{requested}'{hint}; its languages: {', '.join(available)}"


def check_language_option(scene, requested: str | None) -> None:
    """Refuse `--lang requested` (ProsectorError) when the scene (a `Scene`) has no texts in it."""
    if requested is None:
        return
    from renderer.errors import ProsectorError

    available = list(dict.fromkeys([scene.language, *scene_languages(scene.model_dump(exclude_unset=True))]))
    problem = check_requested_language(requested, available)
    if problem:
        raise ProsectorError(problem)
