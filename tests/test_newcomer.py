"""A newcomer's first hour (issue 12): examples that work from any folder, and no traps in the
command line. Each test runs `prosector` in a subprocess, as a teacher would."""

from __future__ import annotations

import fcntl
import logging
import os
import stat
import struct
import subprocess
import sys
import termios

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ASSETS, ROOT, SCENES


def prosector(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "renderer", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)  # fmt: skip


# -- examples and bundled paths -------------------------------------------------------------------------


def test_examples_are_listed():
    run = prosector("examples")
    assert run.returncode == 0, run.stderr
    for scene in SCENES.glob("*.yaml"):
        assert scene.name in run.stdout


def test_examples_written_elsewhere_validate_from_any_folder(tmp_path):
    target = tmp_path / "my lessons"
    run = prosector("examples", target, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in target.glob("*.yaml"))
    assert written == sorted(p.name for p in SCENES.glob("*.yaml"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for scene in target.glob("*.yaml"):
        check = prosector("validate", scene, cwd=elsewhere)
        assert check.returncode == 0, f"{scene.name}: {check.stdout}{check.stderr}"


def test_examples_never_overwrite_without_force(tmp_path):
    assert prosector("examples", tmp_path / "x").returncode == 0
    mine = tmp_path / "x" / "brain.yaml"
    mine.write_text("# my own edits\n")
    again = prosector("examples", tmp_path / "x")
    assert again.returncode == 1 and "--force" in again.stderr
    assert mine.read_text() == "# my own edits\n"
    assert prosector("examples", tmp_path / "x", "--force").returncode == 0
    assert "bundled:" in mine.read_text()


def test_example_rendered_from_a_copy_outside_the_checkout(tmp_path):
    assert prosector("examples", tmp_path / "ex").returncode == 0
    out = tmp_path / "brain.png"
    run = prosector("render", tmp_path / "ex" / "brain.yaml", "-o", out, "--size", "96x72", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert np.asarray(Image.open(out)).std() > 10


def test_bundled_paths_cannot_escape_the_assets(tmp_path):
    scene = tmp_path / "s.yaml"
    scene.write_text("version: 1\nparts:\n  a: {mesh: 'bundled:../../../../etc/passwd'}\n"
                     "  b: {mesh: 'bundled:/etc/passwd'}\n")  # fmt: skip
    run = prosector("validate", scene)
    assert run.returncode == 1
    assert "s.yaml:3:" in run.stderr and "outside" in run.stderr
    assert "s.yaml:4:" in run.stderr


# -- command-line traps ---------------------------------------------------------------------------------


def test_shadow_view_switches_to_the_ray_traced_tier(tmp_path):
    out = tmp_path / "shadow.png"
    run = prosector("render", SCENES / "brain.yaml", "-o", out, "--size", "64x48", "--view", "shadow",
                    "--ao-samples", "4")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "ray-traced tier" in run.stdout
    image = np.asarray(Image.open(out)).astype(float)
    assert image.std() > 5, "a shadow view must not be uniform"


def test_shadow_view_with_a_tier_that_has_no_shadows_is_refused(tmp_path):
    run = prosector("render", SCENES / "brain.yaml", "-o", tmp_path / "s.png", "--size", "64x48",
                    "--view", "shadow", "--ao-tier", "ssao")  # fmt: skip
    assert run.returncode == 1 and "--ao-tier raytraced" in run.stderr


def test_timing_has_no_nan(tmp_path):
    run = prosector("render", SCENES / "brain.yaml", "-o", tmp_path / "t.png", "--size", "64x48", "--timing")
    assert run.returncode == 0, run.stderr
    timing = [line for line in run.stdout.splitlines() if line.startswith("view 0:")]
    assert timing and "nan" not in timing[0].lower()
    assert "prepass" in timing[0]


def test_lesson_renders_step_one_by_default_and_step_zero_before_any_step(tmp_path):
    default = prosector("render", SCENES / "brain-lesson.yaml", "-o", tmp_path / "d.png", "--size", "64x48")
    first = prosector("render", SCENES / "brain-lesson.yaml", "-o", tmp_path / "1.png", "--size", "64x48",
                      "--step", "1")  # fmt: skip
    before = prosector("render", SCENES / "brain-lesson.yaml", "-o", tmp_path / "0.png", "--size", "64x48",
                       "--step", "0")  # fmt: skip
    assert default.returncode == first.returncode == before.returncode == 0, default.stderr + before.stderr
    assert "step 1:" in default.stdout and "step" not in before.stdout.split("(")[1].split(",")[0]
    d, one = (np.asarray(Image.open(tmp_path / n)) for n in ("d.png", "1.png"))
    assert np.array_equal(d, one)


def test_schema_file_gets_the_users_umask(tmp_path):
    out = tmp_path / "schema.json"
    run = subprocess.run(["sh", "-c", f"umask 022 && {sys.executable} -m renderer schema -o '{out}'"],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_molecule_cartoon_triangles_are_counted(tmp_path):
    run = prosector("render", SCENES / "hiv-protease-lesson.yaml", "-o", tmp_path / "m.png", "--size", "64x48")
    assert run.returncode == 0, run.stderr
    assert " 0 triangles" not in run.stdout
    assert "in molecule cartoons and surfaces" in run.stdout


def test_quiet_is_accepted_by_every_command(tmp_path):
    run = prosector("render", SCENES / "brain.yaml", "-o", tmp_path / "q.png", "--size", "32x32", "--quiet")
    assert run.returncode == 0 and run.stdout == "", run.stdout + run.stderr
    assert prosector("validate", SCENES / "brain.yaml", "-q").returncode == 0


def _stderr_through_a_terminal(code: str, env: dict | None = None) -> str:
    """Run `code` with standard error on a pseudo-terminal; what it wrote there."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0x0: no room for a bar
    try:
        run = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=slave, env=env, timeout=60)  # fmt: skip
        assert run.returncode == 0
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other side is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)


def test_progress_bar_shows_on_a_terminal_only_when_work_is_long():
    """tqdm draws on a terminal after SHOW_AFTER_S; not on a pipe, and never with --quiet."""
    code = (
        "import time, renderer.progress as p\n"
        "p.SHOW_AFTER_S = {delay}\n"
        "with p.task('ray tracing', 3, 'frame') as bar:\n"
        "    for _ in range(3):\n"
        "        time.sleep(0.1); bar.advance()\n"
    )
    long_work, short_work = code.format(delay=0.05), code.format(delay=30)
    piped = subprocess.run([sys.executable, "-c", long_work], capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""
    assert "ray tracing" in _stderr_through_a_terminal(long_work)
    assert "ray tracing" not in _stderr_through_a_terminal(short_work)
    quiet = {**os.environ, "PROSECTOR_QUIET": "1"}
    assert "ray tracing" not in _stderr_through_a_terminal(long_work, env=quiet)


def test_one_long_step_still_shows_its_bar():
    """A single step longer than SHOW_AFTER_S (one big molecule file being read) shows its bar and its
    elapsed time while it runs: tqdm alone would draw only when the step ends, and then clear it."""
    code = (
        "import time, sys, renderer.progress as p\n"
        "p.SHOW_AFTER_S, p.HEARTBEAT_S = 0.1, 0.05\n"
        "with p.task('reading molecules', 1, 'file') as bar:\n"
        "    bar.note('big.cif'); time.sleep(0.6)\n"
        "    sys.stderr.write('STEP-DONE'); sys.stderr.flush(); bar.advance()\n"
    )
    before_the_end = _stderr_through_a_terminal(code).split("STEP-DONE")[0]
    assert "reading molecules" in before_the_end and "0/1" in before_the_end and "big.cif" in before_the_end


def test_loading_and_building_a_big_molecule_show_progress(tmp_path):
    """The bars of a molecule scene: reading its file, then building its shapes, each bar naming what
    it is at while one long step runs."""
    scene = tmp_path / "hpv.yaml"
    scene.write_text(f"version: 1\nmolecules:\n  hpv:\n    path: {ASSETS / 'molecules' / '1hpv.pdb'}\n"
                     "    representations: [{style: cartoon}, {style: ball_and_stick, select: ligand}]\n")  # fmt: skip
    code = (
        "import renderer.progress as p\n"
        "p.SHOW_AFTER_S, p.HEARTBEAT_S = 0.2, 0.1\n"
        "import time, renderer.molecules.io as io, renderer.molecules.representations as reps\n"
        "def slowly(work):  # a file and a cartoon as slow as a million atoms' (the bars' delay is shortened alike)\n"
        "    return lambda *args, **kwargs: (time.sleep(0.6), work(*args, **kwargs))[1]\n"
        "io.read_structure, reps.cartoon_mesh = slowly(io.read_structure), slowly(reps.cartoon_mesh)\n"
        "from pathlib import Path\n"
        "from renderer.headless import HeadlessRenderer\n"
        "from renderer.scene.load import load_scene\n"
        f"loaded = load_scene(Path({str(scene)!r}), asset_roots=[Path({str(ASSETS)!r})])\n"
        "with HeadlessRenderer() as h:\n"
        "    h.load(loaded)\n"
    )
    shown = _stderr_through_a_terminal(code)
    assert "reading molecules" in shown and "1hpv.pdb" in shown
    assert "building molecule shapes" in shown and "0/2" in shown and "cartoon of 1,631 atoms" in shown


# -- label fonts ----------------------------------------------------------------------------------------


@pytest.fixture
def no_cjk_font(monkeypatch):
    """This machine as one without fonts-noto-cjk: the CJK lookup finds nothing."""
    from renderer.labels import atlas, font

    monkeypatch.delenv("PROSECTOR_LABEL_FONT", raising=False)
    monkeypatch.setattr(font, "cjk_font_path", lambda: None)
    monkeypatch.setattr(font, "_warned_cjk", False)
    for cached in (font.label_font_path, atlas._font, atlas.label_image):
        cached.cache_clear()
    yield font
    for cached in (font.label_font_path, atlas._font, atlas.label_image):
        cached.cache_clear()


def test_latin_labels_need_no_cjk_font(no_cjk_font, caplog):
    from renderer.labels.atlas import label_image

    with caplog.at_level(logging.WARNING, logger="prosector.labels"):
        image = label_image("Left femur", 24, "en")
    assert "NotoSans[" in no_cjk_font.label_font_path().name or "DejaVu" in no_cjk_font.label_font_path().name
    text_pixels = (image[..., :3].max(axis=2) > 200).sum()
    assert text_pixels > 50, "the label has no visible text"
    assert not caplog.records


def test_cjk_label_without_cjk_font_warns_once(no_cjk_font, caplog):
    from renderer.labels.atlas import label_image

    with caplog.at_level(logging.WARNING, logger="prosector.labels"):
        label_image("大脑", 24, "zh")
        label_image("小脑", 24, "zh")
    warnings = [r for r in caplog.records if "fonts-noto-cjk" in r.getMessage()]
    assert len(warnings) == 1


def test_the_readme_names_both_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash tools/demo.sh" in readme and "bash tools/test.sh" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools/test.sh" in ci
