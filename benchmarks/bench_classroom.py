"""The classroom on loopback: 1 teacher and N followers through a real relay process.

Measures, in one run: state-change latency (teacher's publish to each follower's receipt, same
clock) p50/p95 with N followers against 1 follower (the baseline of the same run), the pose rate
each follower gets while the teacher sends 90 poses a second, the relay's CPU time and peak memory,
and a relay restart mid-lesson (time until every follower has the teacher's next state). Then
`--web-pages` exported lesson pages (`prosector export --web`) in headless Chromium follow a teacher
through the same relay: the state latency as each page's script receives it, against the same
1-follower baseline.
Followers run in several processes (a classroom's students are separate machines; 50 links in one
Python process would measure its GIL, not the relay). Loopback only; every loop is bounded.

    .venv/bin/python benchmarks/bench_classroom.py [--followers 50] [--web-pages 1] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from renderer.classroom.client import ClassroomLink
from renderer.classroom.protocol import LessonState, Pose

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
RESTART_STEP = 37  # the step the teacher shows right after the relay came back (not one of the lesson's)


def start_relay(port: int = 0) -> tuple[subprocess.Popen, str]:
    relay = subprocess.Popen([sys.executable, "-m", "renderer", "classroom", "relay", "--port", str(port),
                              "--token", TOKEN, "--max-seconds", "600"], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    line = relay.stdout.readline()
    if "classroom relay on" not in line:
        raise SystemExit(f"the relay did not start: {line!r}")
    return relay, line.split(" on ")[1].strip()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_until(predicate, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def follower_worker(url: str, count: int, first: int, ready, go, done, out) -> None:
    """A process of `count` followers: connect, say ready, record state latencies and pose counts
    until `done`, then send (latencies, pose counts, final steps, reconnects) back through `out`."""
    latencies: list[float] = []
    after_restart: dict[int, float] = {}  # follower -> when it first showed the post-restart step
    links = []

    def on_state(index: int, received) -> None:
        if received.sent_ms:
            latencies.append(time.time() * 1000 - received.sent_ms)
        if received.state.step == RESTART_STEP:
            after_restart.setdefault(index, time.time())

    for index in range(count):
        link = ClassroomLink(url, "bench", TOKEN, "follow", client=f"s{first + index}")
        link.on_state = lambda r, i=index: on_state(i, r)
        links.append(link.start())
    for link in links:
        link.wait_connected(60)
    ready.release()
    go.wait(120)
    latencies.clear()  # the join resync is not a state change
    pose_marks = []
    while not done.wait(0.05):
        pose_marks.append((time.monotonic(), [link.poses_received for link in links]))
    out.send((latencies, pose_marks, [link.latest().state.step if link.latest() else None for link in links],
              [link.connects for link in links], list(after_restart.values())))  # fmt: skip
    for link in links:
        link.close()


def run_class(url: str, followers: int, changes: int, processes: int, restart=None) -> dict:
    """One lesson: `changes` state changes at 10 Hz, then 3 s of poses at 90 Hz; `restart(url)` (if
    given) is called after that and the lesson goes on with one more state change."""
    import multiprocessing as mp

    context = mp.get_context("fork")
    ready, go, done = context.Semaphore(0), context.Event(), context.Event()
    per = [followers // processes + (1 if i < followers % processes else 0) for i in range(processes)]
    pipes, workers, first = [], [], 0
    for count in per:
        if count == 0:
            continue
        parent, child = context.Pipe(duplex=False)
        worker = context.Process(target=follower_worker, args=(url, count, first, ready, go, done, child))
        worker.start()
        pipes.append(parent)
        workers.append(worker)
        first += count
    lead = ClassroomLink(url, "bench", TOKEN, "lead").start()
    lead.wait_connected(60)
    for _ in workers:
        ready.acquire(timeout=120)
    go.set()
    time.sleep(0.5)
    for step in range(changes):
        lead.publish_state(LessonState(step=step % 20, language="en"))
        time.sleep(0.1)
    pose_start, sent_before = time.monotonic(), lead.poses_sent
    while time.monotonic() - pose_start < 3.0:
        lead.publish_pose(Pose((0.0, 1.6, 0.5), (0.0, 1.2, 0.0)))
        time.sleep(1 / 90)
    pose_end = time.monotonic()
    sent_rate = (lead.poses_sent - sent_before) / (pose_end - pose_start)
    restarted_at = None
    if restart is not None:
        restarted_at = restart(lead)
    time.sleep(20.0 if restart is not None else 1.0)  # reconnect back-off is at most 2 s; a busy machine is slow
    done.set()
    latencies, rates, steps, connects, back = [], [], [], [], []
    for pipe in pipes:
        lat, marks, final, conn, seen = pipe.recv()
        back += seen
        latencies += lat
        steps += final
        connects += conn
        inside = [(t, c) for t, c in marks if pose_start <= t <= pose_end + 0.2]
        if len(inside) >= 2:
            (t0, c0), (t1, c1) = inside[0], inside[-1]
            rates += [(b - a) / (t1 - t0) for a, b in zip(c0, c1, strict=True)]
    for worker in workers:
        worker.join(30)
    lead.close()
    return {"latencies": latencies, "pose_rates": rates, "final_steps": steps, "connects": connects,
            "expected": followers * changes, "last_step": (changes - 1) % 20, "pose_rate_sent_hz": sent_rate,
            "resync_s": (max(back) - restarted_at) if restarted_at and len(back) == followers else None}  # fmt: skip


def run_web_class(url: str, pages: int, changes: int) -> dict:
    """`pages` exported brain-lesson pages (Chromium, software GL, each drawing every frame) follow a
    teacher who makes `changes` state changes at 10 Hz; latencies are the pages' own (same clock)."""
    import contextlib
    import io
    import tempfile

    from renderer.classroom.bundle import make_bundle
    from renderer.cli import main as cli
    from renderer.export.browser import Browser, file_url
    from renderer.scene.load import load_scene

    scene = ROOT / "scenes" / "brain-lesson.yaml"
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp, contextlib.ExitStack() as stack:
        site = Path(tmp) / "site"
        with contextlib.redirect_stdout(io.StringIO()):
            cli(["export", str(scene), "--web", str(site), "--device", "phone"])
        lead = ClassroomLink(url, "bench-web", TOKEN, "lead", bundle=make_bundle(load_scene(scene))).start()
        stack.callback(lead.close)
        lead.wait_connected(60)
        lead.publish_state(LessonState(step=0, language="en"))
        browsers = [stack.enter_context(Browser(640, 480, timeout_s=180)) for _ in range(pages)]
        for browser in browsers:
            browser.open(f"{file_url(site / 'index.html', 'ui=0&labels=0')}#relay={url}&room=bench-web&token={TOKEN}")
            browser.wait_for("window.prosectorViewer.classroom.applied >= 1", timeout_s=120)
        before = [browser.evaluate("[window.prosectorViewer.classroom.latencies_ms.length, "
                                   "window.prosectorViewer.classroom.received_ms.length]") for browser in browsers]
        for step in range(changes):
            lead.publish_state(LessonState(step=step % 6, language="en", highlight=("cortex_left",) * (step % 2)))
            time.sleep(0.1)
        last = (changes - 1) % 6
        shown, received = [], []
        for browser, (skip_shown, skip_received) in zip(browsers, before, strict=True):
            browser.wait_for(f"window.prosectorViewer.classroom.states >= {changes + 1} && "
                             f"window.prosectorViewer.classroom.teacher.step === {last}", timeout_s=120)  # fmt: skip
            shown += browser.evaluate("window.prosectorViewer.classroom.latencies_ms")[skip_shown:]
            received += browser.evaluate("window.prosectorViewer.classroom.received_ms")[skip_received:]
    return {"shown": shown, "received": received, "expected": pages * changes}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=50)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--processes", type=int, default=5, help="follower processes (default 5)")
    parser.add_argument("--web-pages", type=int, default=1, help="exported pages in headless Chromium (0: none)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    relay, url = start_relay()
    relays = [relay]
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
                     "load_average_at_start": os.getloadavg()[0]}  # fmt: skip
    try:
        base = run_class(url, 1, args.changes, 1)
        cpu_before, wall = cpu_seconds(relay.pid), time.monotonic()
        port = int(url.rsplit(":", 1)[1])

        def restart(lead) -> float:
            nonlocal relay
            relays.append(None)
            results["relay_cpu_share"] = (cpu_seconds(relay.pid) - cpu_before) / (time.monotonic() - wall)
            results["relay_peak_rss_mib"] = peak_rss_mib(relay.pid)
            relay.send_signal(signal.SIGTERM)
            relay.wait(30)
            started = time.time()
            relay, _ = start_relay(port)
            relays[-1] = relay
            lead.publish_state(LessonState(step=RESTART_STEP, language="en"))  # the lesson goes on
            return started

        many = run_class(url, args.followers, args.changes, args.processes, restart=restart)
        web = run_web_class(f"ws://127.0.0.1:{port}", args.web_pages, args.changes) if args.web_pages else None
    finally:
        for running in relays:
            if running is not None:
                running.terminate()
                running.wait(30)
    lat1, lat = base["latencies"], many["latencies"]
    results.update({
        "followers": args.followers, "follower_processes": args.processes,
        "state_latency_ms_1_follower": {"p50": percentile(lat1, 50), "p95": percentile(lat1, 95)},
        "state_latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95)},
        "state_messages_received": len(lat), "state_messages_expected": many["expected"] + args.followers,
        "pose_rate_hz_per_follower": {"min": min(many["pose_rates"]), "median": statistics.median(many["pose_rates"])},
        "pose_rate_sent_hz": many["pose_rate_sent_hz"],
        "pose_delivery_1_follower": statistics.median(base["pose_rates"]) / base["pose_rate_sent_hz"],
        "restart_all_back_in_step": all(s == RESTART_STEP for s in many["final_steps"]),
        "restart_resync_s": many["resync_s"],
        "restart_reconnected": sum(c >= 2 for c in many["connects"]),
    })  # fmt: skip
    if web is not None:
        results["web_pages"] = args.web_pages
        for key in ("received", "shown"):
            results[f"state_latency_ms_web_page_{key}"] = {"p50": percentile(web[key], 50),
                                                           "p95": percentile(web[key], 95), "count": len(web[key])}
        results["web_state_changes"] = web["expected"]
    one, p = results["state_latency_ms_1_follower"], results["state_latency_ms"]
    print(f"classroom on loopback, 1 teacher + {args.followers} followers in {args.processes} processes "
          f"({results['machine']}, load average {results['load_average_at_start']:.1f})")
    print(f"  state latency p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms "
          f"(x{p['p50'] / one['p50']:.2f} / x{p['p95'] / one['p95']:.2f} the 1-follower run: "
          f"{one['p50']:.1f} / {one['p95']:.1f} ms); {results['state_messages_received']}/"
          f"{results['state_messages_expected']} received")  # fmt: skip
    rates = results["pose_rate_hz_per_follower"]
    sent = results["pose_rate_sent_hz"]
    print(f"  poses: the teacher sent {sent:.1f} Hz (asked for 90); each follower got {rates['median']:.1f} Hz "
          f"(x{rates['median'] / sent:.2f}; slowest {rates['min']:.1f}; with 1 follower "
          f"x{results['pose_delivery_1_follower']:.2f})")
    print(f"  relay: {results['relay_cpu_share'] * 100:.0f} % of one core, peak RSS "
          f"{results['relay_peak_rss_mib']:.0f} MiB")  # fmt: skip
    print(f"  relay restart mid-lesson: {results['restart_reconnected']}/{args.followers} followers reconnected, "
          f"all on the teacher's next step: {results['restart_all_back_in_step']}"
          + (f", the last {many['resync_s']:.1f} s after the relay went down" if many["resync_s"] else ""))
    if web is not None:
        got, shown = results["state_latency_ms_web_page_received"], results["state_latency_ms_web_page_shown"]
        print(f"  {args.web_pages} exported web page(s) in headless Chromium (software GL): state received p50 "
              f"{got['p50']:.1f} ms, p95 {got['p95']:.1f} ms (x{got['p50'] / one['p50']:.2f} / "
              f"x{got['p95'] / one['p95']:.2f} the 1-follower run), {got['count']}/{web['expected']}; shown in a "
              f"frame p50 {shown['p50']:.0f} ms, p95 {shown['p95']:.0f} ms, {shown['count']}/{web['expected']} "
              "(newer states replace those a frame has not drawn yet)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if results["restart_all_back_in_step"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
