"""Cases for the fuzzer: mutated example scenes, mutated real meshes and molecules, and hostile constructs.

A case is a set of files to write into the scene folder and the scene to load. File contents are
bytes, or a `Special` standing for something a scene may point at: named pipes, sparse huge files,
symlinks out of the folder, devices and absolute paths are prepared once per sandbox (runner.py) and
referred to by name here (HOSTILE_REFERENCES).
"""

from __future__ import annotations

import json
import random
import re
import struct
from dataclasses import dataclass

from tools.fuzz.corpus import Corpus

# What a hostile scene or mesh names; the runner creates fifo.bin, sparse.bin, link_out.bin, folder.bin.
HOSTILE_REFERENCES = [
    "../outside/secret.bin",
    "/etc/passwd",
    "/dev/zero",
    "/dev/stdin",
    "fifo.bin",
    "sparse.bin",
    "link_out.bin",
    "folder.bin",
    "/proc/self/environ",
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.bin",
    "%2e%2e/outside/secret.bin",
    "..\\outside\\secret.bin",
    "",
    "../../../../../../etc/shadow",
    "./../outside/secret.bin",
    "sub/../../outside/secret.bin",
]
NUMBERS = [
    -1,
    0,
    1,
    3,
    255,
    65535,
    2**31 - 1,
    2**31,
    2**32,
    2**53,
    10**12,
    -(2**31),
    1e308,
    -1e308,
    0.5,
    "7",
    None,
    True,
    [],
    {},
]
TOKENS = ["\n", ": ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!python/object:os.system ", "<<: ", "\t", "null",
          "~", "'", '"', "#", "1e999", "nan", ".nan", "-.inf", "-1", "0", "true", "../../", "include: [x.yaml]\n",
          "version: 2\n", "  ", "parts", "lesson", "steps", "show", "?", "|", ">", "%YAML 1.1\n", "\x00", "é", "股骨",
          "!!bool maybe", "!!int ''", "!!float ''", "!!binary x", "!!timestamp x", "!!set {a}", "---\n", "...\n",
          "\ufeff", "\r\n", "\u2028"]  # fmt: skip
STYLES = ["cartoon", "ball_and_stick", "spacefill", "licorice", "surface", "hbonds"]


@dataclass
class Case:
    """Files to write in the scene folder (name -> bytes) and which of them is the scene to load."""

    kind: str
    files: dict[str, bytes]
    scene: str = "case.yaml"
    note: str = ""


def make_case(corpus: Corpus, rng: random.Random) -> Case:
    kind = rng.choices(["scene", "mesh", "molecule", "hostile"], weights=[40, 30, 20, 10])[0]
    return {"scene": _scene_case, "mesh": _mesh_case, "molecule": _molecule_case, "hostile": _hostile_case}[kind](
        corpus, rng
    )


# --- scenes -----------------------------------------------------------------------------------------


def _scene_case(corpus: Corpus, rng: random.Random) -> Case:
    name = rng.choice(sorted(corpus.scenes))
    text = corpus.scenes[name]
    for _ in range(rng.randint(1, 6)):
        position, span = rng.randint(0, len(text)), rng.randint(1, 40)
        action = rng.choice(["insert", "delete", "replace", "duplicate", "reference"])
        if action == "insert":
            text = text[:position] + rng.choice(TOKENS) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + span :]
        elif action == "replace":
            text = text[:position] + rng.choice(TOKENS) + text[position + span :]
        elif action == "duplicate":
            text = text[:position] + text[position : position + span] * rng.choice([2, 3, 50]) + text[position:]
        else:  # point one path at something hostile
            text = re.sub(r"(mesh|path|include|alpha_mask|mask): [^\n]+", lambda m: f"{m.group(1)}: "
                          f"'{rng.choice(HOSTILE_REFERENCES)}'", text, count=1)  # fmt: skip
    return Case("scene", {"case.yaml": text.encode("utf-8", "surrogatepass")}, note=f"mutated {name}")


# --- meshes -----------------------------------------------------------------------------------------


def _mesh_case(corpus: Corpus, rng: random.Random) -> Case:
    seed = rng.choice(sorted(corpus.meshes))
    files = dict(corpus.meshes[seed])
    main = next(iter(files))
    target = rng.choice(list(files)) if rng.random() < 0.3 else main
    data = files[target]
    suffix = target.rsplit(".", 1)[-1].lower()
    if suffix in ("glb", "gltf") and rng.random() < 0.7:
        data = _mutate_gltf(data, rng, suffix == "glb")
    elif suffix in ("obj", "mtl") and rng.random() < 0.5:
        data = _mutate_obj(data, rng)
    elif suffix == "ply" and rng.random() < 0.5:
        data = re.sub(rb"element (\w+) \d+", lambda m: b"element " + m.group(1) + b" " +
                      str(rng.choice([0, 1, 2**31, 10**12, 2**64])).encode(), data, count=1)  # fmt: skip
    elif suffix == "stl" and len(data) > 84 and rng.random() < 0.5:
        data = data[:80] + struct.pack("<I", rng.choice([0, 1, 2**31, 2**32 - 1])) + data[84:]
    else:
        data = _mutate_bytes(data, rng)
    files[target] = data
    unit = rng.choice(["m", "cm", "mm"])
    scene = f"version: 1\nparts:\n  p:\n    mesh: '{main}'\n    unit: {unit}\n"
    files["case.yaml"] = scene.encode()
    return Case("mesh", files, note=f"{seed}: mutated {target}")


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not data:
            break
        position = rng.randrange(len(data))
        action = rng.choice(["flip", "truncate", "insert", "duplicate", "zero", "ff"])
        if action == "flip":
            data[position] ^= 1 << rng.randrange(8)
        elif action == "truncate":
            del data[position:]
        elif action == "insert":
            data[position:position] = rng.randbytes(rng.randint(1, 16))
        elif action == "duplicate":
            data[position:position] = data[position : position + rng.randint(1, 256)]
        elif action == "zero":
            data[position : position + 4] = b"\x00\x00\x00\x00"
        else:
            data[position : position + 4] = b"\xff\xff\xff\x7f"
    return bytes(data)


def _mutate_gltf(data: bytes, rng: random.Random, glb: bool) -> bytes:
    """Change the JSON of a glTF/GLB where it counts (numbers, URIs, nodes), then repack it."""
    if glb:
        if len(data) < 20:
            return _mutate_bytes(data, rng)
        json_length = struct.unpack_from("<I", data, 12)[0]
        document, rest = data[20 : 20 + json_length], data[20 + json_length :]
    else:
        document, rest = data, b""
    try:
        tree = json.loads(document)
    except ValueError:
        return _mutate_bytes(data, rng)
    for _ in range(rng.randint(1, 4)):
        _mutate_tree(tree, rng)
    text = json.dumps(tree).encode()
    if rng.random() < 0.05:
        text = b"[" * 100_000 + b"]" * 100_000  # deep JSON
    if not glb:
        return text
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text + rest
    length = 12 + len(body) if rng.random() < 0.9 else rng.choice([0, 2**32 - 1, len(body)])
    return struct.pack("<4sII", b"glTF", 2, length) + body


def _mutate_tree(tree: dict, rng: random.Random) -> None:
    choice = rng.random()
    if choice < 0.25:
        for key in ("buffers", "images"):
            if tree.get(key) and rng.random() < 0.7:
                rng.choice(tree[key])["uri"] = rng.choice(HOSTILE_REFERENCES)
                return
    if choice < 0.35 and tree.get("nodes"):
        nodes = tree["nodes"]
        a, b = rng.randrange(len(nodes)), rng.randrange(len(nodes))
        nodes[a].setdefault("children", []).append(b)
        nodes[b].setdefault("children", []).append(a)
        return
    containers = [(obj, key) for obj, key in _numeric_slots(tree)]
    if containers:
        obj, key = rng.choice(containers)
        obj[key] = rng.choice(NUMBERS)


def _numeric_slots(value, out=None):
    out = [] if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                out.append((value, key))
            else:
                _numeric_slots(item, out)
    elif isinstance(value, list) and len(value) < 64:
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                out.append((value, index))
            else:
                _numeric_slots(item, out)
    return out


def _mutate_obj(data: bytes, rng: random.Random) -> bytes:
    hostile = rng.choice(HOSTILE_REFERENCES).encode()
    action = rng.choice(["mtllib", "map", "face"])
    if action == "mtllib":
        return b"mtllib " + hostile + b"\n" + data
    if action == "map":
        # A function, not a template: hostile names such as ..\\outside hold backslashes re would parse.
        return re.sub(rb"map_Kd [^\n]+", lambda _: b"map_Kd " + hostile, data) + b"\nmap_Ka -s 1 1 1 " + hostile + b"\n"
    return data + b"\nf 1 2 " + str(rng.choice([2**31, 10**12, -(10**9), 0])).encode() + b"\n"


# --- molecules --------------------------------------------------------------------------------------


def _molecule_case(corpus: Corpus, rng: random.Random) -> Case:
    name = rng.choice(sorted(corpus.molecules))
    lines = corpus.molecules[name].decode("latin-1").split("\n")
    for _ in range(rng.randint(1, 5)):
        if not lines:
            break
        index = rng.randrange(len(lines))
        action = rng.choice(["coordinate", "delete", "duplicate", "conect", "truncate", "bytes", "count"])
        line = lines[index]
        if action == "coordinate" and len(line) > 54 and line.startswith(("ATOM", "HETATM")):
            value = rng.choice(["1e5", "99999.9", "nan", "inf", "-1e30", "x", "", "1" * 8])
            column = rng.choice([30, 38, 46])
            lines[index] = line[:column] + f"{value:>8}"[:8] + line[column + 8 :]
        elif action == "coordinate":
            words = line.split()
            if words:
                words[rng.randrange(len(words))] = rng.choice(["1e5", "nan", "1e39", "-", "99999999999"])
                lines[index] = " ".join(words)
        elif action == "delete":
            del lines[index : index + rng.randint(1, 20)]
        elif action == "duplicate":
            lines[index:index] = lines[index : index + rng.randint(1, 50)] * rng.choice([1, 10])
        elif action == "conect":
            lines.insert(index, f"CONECT{rng.choice([99999, 0, 1, 12345]):5d}{rng.randint(1, 99999):5d}")
        elif action == "truncate":
            del lines[index:]
        elif action == "bytes":
            lines[index] = _mutate_bytes(line.encode("latin-1"), rng).decode("latin-1")
        else:
            lines[index] = re.sub(r"\d+", lambda m: str(rng.choice([0, 999, 99999, 10**9])), line, count=1)
    style = rng.choice(STYLES)
    scene = f"version: 1\nmolecules:\n  m:\n    path: '{name}'\n    style: {style}\n"
    return Case("molecule", {name: "\n".join(lines).encode("latin-1"), "case.yaml": scene.encode()},
                note=f"mutated {name}, {style}")  # fmt: skip


# --- hostile constructs -----------------------------------------------------------------------------


def _hostile_case(corpus: Corpus, rng: random.Random) -> Case:
    n = rng.choice([100, 500, 3000, 10000])  # 3,000: the 72 KB group chain that once took 50 s
    reference = rng.choice(HOSTILE_REFERENCES)
    mesh = sorted(corpus.meshes)[0]
    texts = {
        "deep list": "version: 1\nparts: " + "[" * n + "]" * n + "\n",
        "deep block": "version: 1\nparts:\n" + "".join("  " * (i + 1) + "-\n" for i in range(min(n, 3000))),
        "group chain": "version: 1\nparts: {}\ngroups:\n"
                       + "".join(f"  g{i}: {{parent: g{i + 1}}}\n" for i in range(n)),
        "group cycle": "version: 1\ngroups:\n" + "".join(f"  g{i}: {{parent: g{(i + 1) % n}}}\n" for i in range(n)),
        "flat list": "version: 1\nparts: [" + "1, " * (n * 50) + "]\n",
        "typed tags": f"version: 1\nparts: {{a: {rng.choice(['!!bool maybe', '!!int', '!!float', '!!null x'])} ''}}\n",
        "long text": "version: 1\ntitle: {en: " + "x" * (n * 100) + "}\n",
        "many problems": "version: 1\nparts:\n"
                         + "".join(f"  p{i}: {{mesh: missing{i}.glb, bad: 1}}\n" for i in range(n)),
        "hostile mesh": f"version: 1\nparts:\n  p: {{mesh: '{reference}'}}\n",
        "hostile molecule": f"version: 1\nmolecules:\n  m: {{path: '{reference}', format: pdb}}\n",
        "hostile include": f"version: 1\ninclude: ['{reference}']\nparts: {{p: {{mesh: {mesh}}}}}\n",
        "hostile mask": f"version: 1\nparts:\n  p:\n    mesh: {mesh}\n    material: {{preset: skin, alpha_mask: "
                        f"'{reference}'}}\n",
        "nan deformer": f"version: 1\nparts:\n  p:\n    mesh: {mesh}\n    deform:\n      - {{kind: breathing, "
                        f"axis: [{rng.choice(['.nan', '.inf', '-.inf'])}, 0, 1]}}\n",
        "alias bomb": "version: 1\n" + "a0: &a0 [x, x, x, x, x, x, x, x]\n" + "".join(
            f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, 12)),
    }  # fmt: skip
    what = rng.choice(sorted(texts))
    files = {"case.yaml": texts[what].encode()}
    if what in ("hostile include", "hostile mask", "nan deformer"):
        files.update(corpus.meshes[mesh])
    return Case("hostile", files, note=f"{what} ({n}, {reference!r})")
