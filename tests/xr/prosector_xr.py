"""Run Prosector's own XR target (`python -m renderer.cli xr ...`) as a subprocess against a Monado
service, and read what it reports: its output (validation layer lines included) and its event log
(`--events`, JSON lines: session states, connections, interaction, the exit summary)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
TEST_SCENE = REPO / "tests/data/xr/lesson.yaml"
ASSET_ARGS = ["--asset-root", str(REPO / "scenes"), "--asset-root", str(REPO / "assets")]
LIFECYCLE = ["IDLE", "READY", "SYNCHRONIZED", "VISIBLE", "FOCUSED",
             "VISIBLE", "SYNCHRONIZED", "STOPPING", "IDLE", "EXITING"]  # fmt: skip


class ProsectorXr:
    """One `prosector xr` process. `env` comes from `MonadoService.client_env` (+ the validation layer)."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *args: str, scene: Path = TEST_SCENE):
        self.events_path = tmp_path / "events.jsonl"
        self.log_path = tmp_path / "prosector-xr.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115
        command = [sys.executable, "-m", "renderer.cli", "xr", str(scene), *ASSET_ARGS, "--events",
                   str(self.events_path), *args]  # fmt: skip
        self.proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def events(self, kind: str | None = None) -> list[dict]:
        if not self.events_path.exists():
            return []
        lines = self.events_path.read_text().splitlines()
        events = [json.loads(line) for line in lines if line.strip().endswith("}")]
        return [e for e in events if kind is None or e["event"] == kind]

    def wait_for(self, predicate, timeout_s: float = 60.0, what: str = "event"):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = predicate(self.events())
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {what} in {timeout_s} s (exit status {self.proc.poll()})\n{self.output()[-4000:]}")

    def wait_state(self, state: str, count: int = 1, timeout_s: float = 60.0) -> None:
        self.wait_for(lambda ev: sum(e["event"] == "state" and e["state"] == state for e in ev) >= count,
                      timeout_s, f"{count} x {state}")  # fmt: skip

    def wait_frames(self, frames: int, timeout_s: float = 60.0) -> None:
        """Wait until the app has rendered `frames` frames (as its latest events say)."""
        self.wait_for(lambda ev: any(e.get("frame", 0) >= frames for e in ev) or None, timeout_s, f"frame {frames}")

    def stop(self, timeout_s: float = 60.0) -> int:
        """SIGTERM (as Ctrl+C would): the app requests exit and ends the session cleanly."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout_s)

    def wait(self, timeout_s: float = 120.0) -> int:
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"prosector xr did not finish in {timeout_s} s\n{self.output()[-4000:]}") from None
        finally:
            self._log.close()

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def summary(self) -> dict:
        exits = self.events("exit")
        assert exits, f"no exit summary\n{self.output()[-4000:]}"
        summary = exits[-1]
        summary["placement"] = np.array(summary["placement"])
        return summary


def validation_errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if "VALID_ERROR" in line]
