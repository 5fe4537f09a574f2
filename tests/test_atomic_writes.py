"""`new` and `render -o` write exclusively and atomically; temporary files never outlive a run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from renderer.atomic_file import TargetError, remove_stale_temporaries, write_atomically
from renderer.cli import main
from renderer.errors import ProsectorError
from renderer.scene import limits, scaffold
from tests.conftest import ROOT

ARM = ROOT / "assets" / "anatomy-simple" / "arm.glb"


def _write(path, text: str = "new", exclusive: bool = True) -> None:
    write_atomically(path, lambda handle: handle.write(text.encode()), exclusive=exclusive)


def _temporaries(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".prosector-")]


def test_file_saved_while_new_works_is_not_overwritten(tmp_path, monkeypatch):
    """`new` used to check, read meshes for seconds, then write: a file saved meanwhile was lost."""
    target = tmp_path / "lesson.yaml"
    check = scaffold.check_generated_scene

    def teacher_saves_meanwhile(path, text):
        target.write_text("the teacher's own work\n")
        check(path, text)

    monkeypatch.setattr(scaffold, "check_generated_scene", teacher_saves_meanwhile)
    with pytest.raises(TargetError, match="already exists|was created while Prosector was working"):
        scaffold.scaffold_scene(target, [ARM])
    assert target.read_text() == "the teacher's own work\n"
    assert _temporaries(tmp_path) == []


def test_file_created_during_the_write_itself_is_not_overwritten(tmp_path):
    """The last gap, between the final check and publishing, is closed by linking (EEXIST), not renaming."""
    target = tmp_path / "lesson.yaml"

    def write(handle):
        handle.write(b"generated")
        target.write_text("saved at the last moment")

    with pytest.raises(TargetError, match="was created while Prosector was working"):
        write_atomically(target, write, exclusive=True)
    assert target.read_text() == "saved at the last moment" and _temporaries(tmp_path) == []


def test_exclusive_write_refuses_an_existing_file_and_force_replaces_it(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_text("old")
    with pytest.raises(TargetError, match="already exists"):
        _write(target)
    _write(target, "replaced", exclusive=False)
    assert target.read_text() == "replaced" and _temporaries(tmp_path) == []


def test_new_force_onto_a_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "lesson.yaml").mkdir()
    assert main(["new", str(tmp_path / "lesson.yaml"), "--from", str(ARM), "--force"]) == 1
    assert "is a folder; name a file" in capsys.readouterr().err


def test_new_onto_a_dangling_link_says_so(tmp_path, capsys):
    (tmp_path / "lesson.yaml").symlink_to(tmp_path / "gone" / "target.yaml")
    assert main(["new", str(tmp_path / "lesson.yaml"), "--from", str(ARM)]) == 1
    assert "is a symbolic link to" in capsys.readouterr().err and not (tmp_path / "gone").exists()


def test_new_never_writes_what_validate_rejects(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SCENE_FILE_BYTES", 100)
    target = tmp_path / "lesson.yaml"
    with pytest.raises(ProsectorError, match="nothing was written"):
        scaffold.scaffold_scene(target, [ARM])
    assert not target.exists()


def test_new_writes_a_scene_validate_accepts(tmp_path, capsys):
    target = tmp_path / "lesson.yaml"
    assert main(["new", str(target), "--from", str(ARM)]) == 0
    assert main(["validate", str(target)]) == 0 and _temporaries(tmp_path) == []


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".prosector-{dead.pid}-abcd1234.tmp"
    stale.write_bytes(b"half a PNG")
    mine = tmp_path / f".prosector-{os.getpid()}-efgh5678.tmp"
    mine.write_bytes(b"being written")
    _write(tmp_path / "out.png", exclusive=False)
    assert not stale.exists() and mine.exists()
    assert remove_stale_temporaries(tmp_path) == 0


WRITER = """
import sys, time
from pathlib import Path
from renderer.atomic_file import install_signal_cleanup, write_atomically
install_signal_cleanup()
def slow(handle):
    handle.write(b"x" * 1000)
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
write_atomically(Path(sys.argv[1]), slow)
"""


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, None)])
def test_signal_mid_write_leaves_no_temporary_file(tmp_path, signum, code):
    """`render -o` killed mid-write left hidden temporary files 26 times in 50."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "out.png")], stdout=subprocess.PIPE,
                               text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert process.stdout.readline().strip() == "writing"
    assert len(_temporaries(tmp_path)) == 1
    process.send_signal(signum)
    returncode = process.wait(timeout=60)
    assert code is None or returncode == code
    assert _temporaries(tmp_path) == [] and not (tmp_path / "out.png").exists()


def test_sigkill_leftovers_are_cleaned_by_the_next_write(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "out.png")], stdout=subprocess.PIPE,
                               text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert process.stdout.readline().strip() == "writing"
    process.kill()
    process.wait(timeout=60)
    assert len(_temporaries(tmp_path)) == 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and os.path.exists(f"/proc/{process.pid}"):
        time.sleep(0.05)  # the pid must be gone for the file to count as stale
    _write(tmp_path / "other.png", exclusive=False)
    assert _temporaries(tmp_path) == []
