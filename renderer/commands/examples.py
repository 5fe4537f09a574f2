"""`prosector examples [DIR]`: list the bundled example scenes, or write them into DIR.

The examples name their meshes and molecules as `bundled:...` paths (renderer/scene/assets.py), so
the copies render and validate from any folder, from a checkout and from an installed wheel alike.
"""

from __future__ import annotations

from pathlib import Path

from renderer.atomic_file import write_atomically
from renderer.errors import ProsectorError


def bundled_examples_dir() -> Path:
    """`renderer/examples` in an installed wheel, the repository's `scenes/` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "examples", package.parent / "scenes"):
        if folder.is_dir():
            return folder
    raise ProsectorError("this installation has no example scenes; reinstall Prosector")


def example_files() -> list[Path]:
    """The example scene files and the JSON Schema they point editors to (sorted by name)."""
    folder = bundled_examples_dir()
    return sorted([*folder.glob("*.yaml"), *folder.glob("schema.json")])


def add_examples_parser(sub) -> None:
    examples = sub.add_parser("examples", help="list the example scenes, or copy them into a folder")
    examples.add_argument("folder", type=Path, nargs="?", help="folder to write them into (created if missing)")
    examples.add_argument("--force", action="store_true", help="overwrite example files already in the folder")


def examples_command(args) -> int:
    files = example_files()
    if args.folder is None:
        for path in files:
            if path.suffix == ".yaml":
                print(f"{path.name:28} {_first_comment(path)}")
        print("\nwrite them into a folder with: prosector examples DIR")
        return 0
    folder: Path = args.folder
    if folder.exists() and not folder.is_dir():
        raise ProsectorError(f"{folder} exists and is not a folder")
    if not folder.parent.resolve().is_dir():
        raise ProsectorError(f"folder {folder.parent} does not exist; create it first")
    clashes = [folder / p.name for p in files if (folder / p.name).exists()]
    if clashes and not args.force:
        names = ", ".join(p.name for p in clashes[:5]) + (" ..." if len(clashes) > 5 else "")
        raise ProsectorError(f"{folder} already has {names}; nothing was written (use --force to overwrite)")
    folder.mkdir(exist_ok=True)
    for path in files:
        data = path.read_bytes()
        write_atomically(folder / path.name, lambda handle, data=data: handle.write(data))
    scenes = [p for p in files if p.suffix == ".yaml"]
    print(f"wrote {len(scenes)} example scenes into {folder}; try:")
    print(f"  prosector render {folder / 'brain.yaml'} -o brain.png")
    print(f"  prosector preview {folder / 'brain-lesson.yaml'}")
    return 0


def _first_comment(path: Path) -> str:
    """The first comment line after the schema line: each example says what it shows there."""
    for line in path.read_text(encoding="utf-8").splitlines()[:6]:
        text = line.lstrip("# ").strip()
        if line.startswith("#") and text and not text.startswith("yaml-language-server"):
            return text
    return ""
