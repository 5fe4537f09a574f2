"""No hostile scene or mesh makes Prosector open a file outside the allowed roots: traced, not assumed.

Every hostile reference (tools.fuzz.mutate.HOSTILE_REFERENCES: ../outside, /etc/passwd, /dev/zero,
a named pipe, a 6 GiB sparse file, a symlink out, URLs...) is written into scenes, glTF buffer and
image URIs, OBJ mtllib and MTL map_Kd lines, includes and alpha masks; a separate Python process
loads all of them while its opens are traced.

Primary tracer: Debian's strace (`strace -f -e trace=open,openat,openat2`) sees every open the
process and its native libraries make (libyaml, Pillow's decoders, numpy's C code), not only
Python's. Where strace is missing or ptrace is not permitted, the test falls back to a Python audit
hook on the 'open' event, which sees builtins.open, io.open and os.open (how trimesh, biotite,
Pillow and Prosector open files) but not opens made in C.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_cases import write_hostile_cases
from tools.fuzz.runner import Sandbox

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("/etc/passwd", "/etc/shadow", "/dev/zero", "/dev/stdin", "/proc/self/environ")
AUDIT_RUNNER = """
import sys
opened = open(sys.argv[2], "w", buffering=1)
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        opened.write(str(args[0]) + "\\n")
sys.addaudithook(hook)
sys.argv = [sys.argv[1], sys.argv[3]]
exec(compile(open(sys.argv[0]).read(), sys.argv[0], "exec"), {"__name__": "__main__", "__file__": sys.argv[0]})
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("hostile") / "box")
    write_hostile_cases(box.scenes)
    return box


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", os.devnull, "true"],
                           capture_output=True)  # fmt: skip
    return probe.returncode == 0


def _run_traced(sandbox: Sandbox, tmp_path: Path, tracer: str) -> tuple[list[str], str]:
    script = ROOT / "tests" / "hostile_cases.py"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if tracer == "strace":
        log = tmp_path / "strace.txt"
        command = ["strace", "-f", "-qq", "-s", "4096", "-e", "trace=open,openat,openat2", "-o", str(log),
                   sys.executable, str(script), str(sandbox.folder)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        paths = re.findall(r'open(?:at2?)?\((?:AT_FDCWD|\d+)?,?\s*"([^"]*)"', log.read_text())
    else:
        log = tmp_path / "opened.txt"
        command = [sys.executable, "-c", AUDIT_RUNNER, str(script), str(log), str(sandbox.folder)]
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        paths = log.read_text().splitlines()
    assert result.returncode == 0, result.stderr[-3000:]
    return paths, result.stdout


def _check(paths: list[str], outcomes: str, sandbox: Sandbox) -> None:
    outside = str((sandbox.folder / "outside").resolve())
    lines = outcomes.splitlines()
    assert len(lines) > 100, outcomes[-2000:]
    assert "case-control.yaml\taccepted" in lines
    accepted = [line for line in lines if line.endswith("accepted") and "control" not in line]
    assert all("-13.yaml" in line for line in accepted), f"accepted: {accepted}"  # 13: the empty name
    bad = []
    for path in paths:
        absolute = path if path.startswith("/") else str(sandbox.scenes / path)
        normal = os.path.normpath(absolute)
        if normal.startswith(outside) or normal in FORBIDDEN or "secret.bin" in normal:
            bad.append(path)
    assert not bad, f"opened outside the allowed roots: {sorted(set(bad))[:10]}"


@pytest.mark.skipif(not _strace_works(), reason="strace is not installed or ptrace is not permitted")
def test_hostile_files_open_nothing_outside_roots_strace(sandbox, tmp_path):
    paths, outcomes = _run_traced(sandbox, tmp_path, "strace")
    assert any(p.endswith("tri.bin") for p in paths), "the tracer did not see the control case's buffer"
    _check(paths, outcomes, sandbox)


def test_hostile_files_open_nothing_outside_roots_audit_hook(sandbox, tmp_path):
    paths, outcomes = _run_traced(sandbox, tmp_path, "audit")
    assert any(p.endswith("tri.bin") for p in paths), "the audit hook did not see the control case's buffer"
    _check(paths, outcomes, sandbox)
