"""Outputs stored by content key, with a manifest people and scripts can read.

`DIR/objects/KEY.ext` holds each output, written atomically; `DIR/manifest.json` maps every lesson,
language and step to its files; `DIR/<lesson>/<language>/step-NN.png` (and `.mp4`, `handout.pdf`)
are links (copies where links are not possible) with readable names. A re-run finds every key
present and does nothing; an edit produces new keys only for what changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from renderer.atomic_file import write_atomically


class BakeStore:
    def __init__(self, root: Path):
        self.root = root
        self.objects = root / "objects"
        self.objects.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str, extension: str) -> Path:
        return self.objects / f"{key}.{extension}"

    def has(self, key: str, extension: str) -> bool:
        return self.path_of(key, extension).is_file()

    def put(self, key: str, extension: str, data: bytes) -> Path:
        path = self.path_of(key, extension)
        write_atomically(path, lambda handle: handle.write(data))
        return path

    def publish(self, readable: Path, key: str, extension: str) -> None:
        """Point the readable name `readable` (relative to the root) at the stored object."""
        target = self.root / readable
        target.parent.mkdir(parents=True, exist_ok=True)
        source = self.path_of(key, extension)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.unlink(missing_ok=True)
        try:
            os.link(source, temporary)
        except OSError:  # a file system without hard links
            temporary.write_bytes(source.read_bytes())
        os.replace(temporary, target)

    def write_manifest(self, manifest: dict) -> None:
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
        write_atomically(self.root / "manifest.json", lambda handle: handle.write(text))
