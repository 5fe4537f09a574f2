"""A fuzz campaign: N cases over W worker processes, progress while it runs, counts at the end.

    python -m tools.fuzz --cases 10000 --workers 2 --out /tmp/fuzz     # the campaign
    python -m tools.fuzz --only 1234 --out /tmp/fuzz                   # one case again, files kept

Case i is generated from (seed, i) alone, so any reported case can be reproduced and its files
written out (`--only`). Each worker appends one JSON line per case to OUT/results-K.jsonl; the
summary (counts by outcome and kind, slowest case, peak memory) goes to stdout and OUT/summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tools.fuzz.corpus import ROOT, build_corpus
from tools.fuzz.mutate import make_case

_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def case_at(corpus, seed: int, index: int):
    return make_case(corpus, random.Random(f"{seed}:{index}"))


def run_campaign(cases: int, workers: int, seed: int, out: Path, time_limit: float = 10.0,
                 address_gib: float = 3.0, budget_s: float | None = None, quiet: bool = False) -> dict:  # fmt: skip
    """Run the campaign in `workers` subprocesses; return the summary (see `summarise`)."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("results-*.jsonl"):
        stale.unlink()
    build_corpus(out / "cache", seed=seed)  # derived seeds built once, before the workers read them
    env = {**os.environ, **_THREADS, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.monotonic()
    command = [sys.executable, "-m", "tools.fuzz", "--worker-of", str(workers), "--cases", str(cases),
               "--seed", str(seed), "--out", str(out), "--time-limit", str(time_limit),
               "--address-gib", str(address_gib)]  # fmt: skip
    if budget_s is not None:
        command += ["--budget-s", str(budget_s)]
    processes = [subprocess.Popen([*command, "--worker", str(k)], env=env, cwd=ROOT) for k in range(workers)]
    last = 0.0
    while any(p.poll() is None for p in processes):
        time.sleep(0.5)
        if not quiet and time.monotonic() - last > 15:
            last = time.monotonic()
            done = sum(_lines(f) for f in out.glob("results-*.jsonl"))
            rate = done / max(time.monotonic() - started, 1e-9)
            eta = (cases - done) / rate if rate else float("inf")
            print(f"fuzz: {done}/{cases} cases, {rate:.1f}/s, about {eta / 60:.0f} min left", flush=True)
    failed = [p.returncode for p in processes if p.returncode]
    summary = summarise(out, time.monotonic() - started, workers)
    summary["worker_failures"] = failed
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def summarise(out: Path, seconds: float, workers: int) -> dict:
    rows = [json.loads(line) for f in sorted(out.glob("results-*.jsonl")) for line in f.read_text().splitlines()]
    outcomes = Counter(r["outcome"] for r in rows)
    slowest = max(rows, key=lambda r: r["cpu_seconds"], default=None)
    heaviest = max(rows, key=lambda r: r["peak_rss_mb"], default=None)
    bad = [r for r in rows if r["outcome"] not in ("clean", "accepted")]
    return {
        "cases": len(rows),
        "outcomes": dict(outcomes),
        "by_kind": {k: dict(Counter(r["outcome"] for r in rows if r["kind"] == k))
                    for k in sorted({r["kind"] for r in rows})},
        "internal_errors": sum(1 for r in bad if r["outcome"] != "timeout"),
        "over_10_s": sum(1 for r in rows if r["cpu_seconds"] > 10.0 or r["outcome"] == "timeout"),
        "over_10_s_wall": sum(1 for r in rows if r["seconds"] > 10.0),
        "slowest": {k: slowest[k] for k in ("index", "note", "cpu_seconds", "seconds", "outcome")} if slowest else None,
        "peak_rss_mb": heaviest["peak_rss_mb"] if heaviest else 0.0,
        "heaviest": {k: heaviest[k] for k in ("index", "note", "peak_rss_mb")} if heaviest else None,
        "median_seconds": sorted(r["seconds"] for r in rows)[len(rows) // 2] if rows else 0.0,
        "median_cpu_seconds": sorted(r["cpu_seconds"] for r in rows)[len(rows) // 2] if rows else 0.0,
        "max_cpu_seconds": slowest["cpu_seconds"] if slowest else 0.0,
        "failures": [{k: r[k] for k in ("index", "kind", "note", "outcome", "detail")} for r in bad[:50]],
        "wall_seconds": round(seconds, 1),
        "workers": workers,
    }  # fmt: skip


def _worker(args) -> int:
    from tools.fuzz.runner import Sandbox, address_limit_for, run_case, warm_up, write_outcome

    corpus = build_corpus(args.out / "cache", seed=args.seed)
    sandbox = Sandbox(args.out / f"sandbox-{args.worker}")
    warm_rss = warm_up(sandbox, corpus)
    limit = address_limit_for(int(args.address_gib * 2**30))
    started = time.monotonic()
    with open(args.out / f"results-{args.worker}.jsonl", "w") as handle:
        for index in range(args.worker, args.cases, args.worker_of):
            if args.budget_s is not None and time.monotonic() - started > args.budget_s:
                break
            outcome = run_case(index, case_at(corpus, args.seed, index), sandbox, args.time_limit, limit)
            write_outcome(handle, outcome)
    print(f"fuzz worker {args.worker}: warm parent {warm_rss:.0f} MB", file=sys.stderr)
    return 0


def _only(args) -> int:
    """Write case `args.only`'s files to OUT/case-N/scenes (with the sandbox's hostile neighbours) and run it."""
    from tools.fuzz.runner import Sandbox, address_limit_for, run_case

    corpus = build_corpus(args.out / "cache", seed=args.seed)
    case = case_at(corpus, args.seed, args.only)
    sandbox = Sandbox(args.out / f"case-{args.only}")
    outcome = run_case(args.only, case, sandbox, args.time_limit, address_limit_for(int(args.address_gib * 2**30)))
    print(json.dumps(outcome.__dict__, indent=1))
    print(f"files: {sandbox.scenes}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/prosector-fuzz"))
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="CPU seconds per case before it counts as a hang (also: 10 s without CPU progress, 600 s in all)",
    )
    parser.add_argument("--address-gib", type=float, default=3.0, help="address space a case may add (RLIMIT_AS)")
    parser.add_argument("--budget-s", type=float, help="stop starting cases after this many seconds")
    parser.add_argument("--only", type=int, help="run one case again and keep its files")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-of", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for key, value in _THREADS.items():
        os.environ.setdefault(key, value)
    if args.worker is not None:
        return _worker(args)
    if args.only is not None:
        return _only(args)
    summary = run_campaign(args.cases, args.workers, args.seed, args.out, args.time_limit, args.address_gib,
                           args.budget_s)  # fmt: skip
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=1))
    for failure in summary["failures"][:10]:
        print(f"case {failure['index']} ({failure['kind']}, {failure['note']}): {failure['outcome']}\n"
              f"{failure['detail'][-800:]}")  # fmt: skip
    if summary["worker_failures"] or (args.budget_s is None and summary["cases"] < args.cases):
        print(f"fuzz: only {summary['cases']} of {args.cases} cases ran (worker exit codes "
              f"{summary['worker_failures']}); the campaign is incomplete", file=sys.stderr)  # fmt: skip
        return 2
    return 0 if summary["internal_errors"] == 0 and summary["over_10_s"] == 0 else 1
