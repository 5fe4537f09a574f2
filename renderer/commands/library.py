"""`prosector library search|list|show`: finding parts of the bundled anatomy library without file names."""

from __future__ import annotations

import argparse
import json

from renderer.errors import ProsectorError


def add_library_parser(sub) -> None:
    library = sub.add_parser("library", help="find parts of the bundled real-anatomy library (BodyParts3D)")
    actions = library.add_subparsers(dest="library_command", required=True, metavar="search|list|show")
    search = actions.add_parser("search", help="parts whose name, region or keywords hold every word")
    search.add_argument("words", nargs="+", help="e.g. knee, biceps, rotator cuff, left femur")
    listing = actions.add_parser("list", help="parts by region, system, tissue or side; without filters: the counts")
    for key, example in (("region", "right_lower_limb"), ("system", "skeletal"), ("tissue", "bone"),
                         ("side", "left")):  # fmt: skip
        listing.add_argument(f"--{key}", action="append", metavar=key.upper(), help=f"e.g. {example} (repeatable)")
    show = actions.add_parser("show", help="everything the catalogue says about one part, and how to use it")
    show.add_argument("id")
    for parser in (search, listing, show):
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def library_command(args: argparse.Namespace) -> int:
    from renderer.library.catalogue import LibraryMissing, load_catalogue

    try:
        catalogue = load_catalogue()
    except LibraryMissing as exc:
        raise ProsectorError(str(exc)) from None
    if args.library_command == "show":
        part = catalogue.parts.get(args.id)
        if part is None:
            close = catalogue.suggest(args.id)
            hint = f"; did you mean {close[0]}?" if close else "; find ids with `prosector library search WORD`"
            raise ProsectorError(f"no library part '{args.id}'{hint}")
        return _show(catalogue, part, args.json)
    if args.library_command == "search":
        found = catalogue.search(" ".join(args.words))
        if not found and not args.json:
            print(f"no part matches '{' '.join(args.words)}'; try one word, or `prosector library list`")
            return 1
        return _table(found, args.json)
    criteria = {k: getattr(args, k) for k in ("region", "system", "tissue", "side")}
    for key, values in criteria.items():
        unknown = [v for v in values or [] if v not in catalogue.values(key)]
        if unknown:
            raise ProsectorError(f"no {key} '{unknown[0]}'; {key}s: {', '.join(catalogue.values(key))}")
    if not any(criteria.values()):
        return _summary(catalogue, args.json)
    return _table(catalogue.select(**criteria), args.json)


def _row(part) -> dict:
    return {"id": part.id, "name": part.name, "fma": part.fma, "tissue": part.tissue, "region": part.region,
            "system": part.system, "side": part.side, "triangles": part.triangles}  # fmt: skip


def _table(parts: list, as_json: bool) -> int:
    if as_json:
        print(json.dumps([_row(p) for p in parts], indent=1))
        return 0
    width = max((len(p.id) for p in parts), default=2)
    for part in parts:
        print(f"{part.id:<{width}}  {part.name}  ({part.tissue}, {part.region}, {part.fma})")
    print(f"{len(parts)} part(s); use one in a scene as `ID: {{library: ID}}` (prosector library show ID)")
    return 0


def _summary(catalogue, as_json: bool) -> int:
    counts = {key: {v: len(catalogue.select(**{key: v})) for v in catalogue.values(key)}
              for key in ("region", "system", "tissue", "side")}  # fmt: skip
    if as_json:
        print(json.dumps({"parts": len(catalogue.parts), **counts}, indent=1))
        return 0
    print(f"{len(catalogue.parts)} parts (BodyParts3D, CC BY-SA 2.1 JP; {catalogue.folder / 'README.md'})")
    for key, values in counts.items():
        print(f"  {key}: " + ", ".join(f"{v} ({n})" for v, n in values.items()))
    print("list some: prosector library list --region right_lower_limb --system skeletal")
    return 0


def _show(catalogue, part, as_json: bool) -> int:
    info = {**_row(part), "keywords": list(part.keywords), "bounds_m": part.bounds_m,
            "file": str(catalogue.path_of(part)), "source": part.source,
            **({"frame_fix": part.frame_fix} if part.frame_fix else {})}  # fmt: skip
    if as_json:
        print(json.dumps(info, indent=1))
        return 0
    for key, value in info.items():
        print(f"{key + ':':<11} {', '.join(value) if key == 'keywords' else value}")
    short = part.id.removeprefix(f"{part.side}_") if part.side != "midline" else part.id
    print(f"\nin a scene:\n  parts:\n    {short}: {{library: {part.id}}}")
    print(f"  or the whole region:\n    {part.region}_{part.system}: {{library: {{region: {part.region}, "
          f"system: {part.system}}}}}")
    return 0
