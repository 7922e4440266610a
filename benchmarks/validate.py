"""How long `actorgraph validate` takes, and where the time goes.

Runs, interleaved in one run (so machine load hits every case alike), on the shipped graph and on a
copy with its statements and figures repeated 4 times under new ids:
  - the whole command, `actorgraph validate`, as a subprocess (wall time), against
    `python -c "import pyshacl"` (the floor any pySHACL-based validator pays);
  - in process, the CPU time of each phase: parsing, pySHACL, and our own checks.
Prints medians and ratios.

Usage: python benchmarks/validate.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"


def scaled_copy(graph: Path, factor: int, into: Path) -> Path:
    """The graph with each per-source file's statements and figures repeated under fresh ids."""
    target = into / f"graph-x{factor}"
    shutil.copytree(graph, target)
    for path in target.glob("*.ttl"):
        if path.stem in ("actors", "sources"):
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        body = "".join(lines[max(i for i, line in enumerate(lines) if line.startswith("@prefix")) + 1:])
        copies = [re.sub(r"agid:(st|fig)-", rf"agid:\g<1>{i}-", body) for i in range(1, factor)]
        path.write_text(text + "\n".join(copies), encoding="utf-8")
    return target


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
    return time.perf_counter() - start


def phases(graph: Path) -> dict[str, float]:
    from actorgraph import validate as v
    from actorgraph.store import DataSource

    clock = time.process_time
    t0 = clock()
    loaded = v._load(DataSource(graph, ONTOLOGY))
    t1 = clock()
    index, locator = v._Index(loaded.graph), v._Locator(loaded.files)
    list(v._shacl(loaded, locator))
    t2 = clock()
    for check in (v._quotes(index, graph, locator), v._evidence(index, locator), v._domains(index, locator),
                  v._references(loaded, index, locator), v._date_order(index, locator)):
        list(check)
    t3 = clock()
    return {"parse": t1 - t0, "pySHACL": t2 - t1, "own checks": t3 - t2, "total": t3 - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each case (median is reported)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="actorgraph-bench-validate-"))
    try:
        graphs = {"shipped": ROOT / "graph", "shipped x4": scaled_copy(ROOT / "graph", 4, scratch)}
        env = {**os.environ, "ACTORGRAPH_CACHE_DIR": str(scratch / "cache")}
        env.pop("ACTORGRAPH_ENDPOINT", None)
        exe = shutil.which("actorgraph")
        ag = [exe] if exe else [sys.executable, "-m", "actorgraph"]
        commands = {'python -c "import pyshacl"': [sys.executable, "-c", "import pyshacl"]}
        for name, graph in graphs.items():
            commands[f"actorgraph validate ({name})"] = [*ag, "--graph-dir", str(graph), "validate"]

        import pyshacl  # noqa: F401 - imported once here so the phases below do not pay for it

        from actorgraph.validate import validate

        for name, graph in graphs.items():
            report = validate(graph, ONTOLOGY)
            print(f"{name}: {report.summary()}")
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, dict[str, list[float]]] = {name: {} for name in graphs}
        for _ in range(args.runs):
            for name, argv in commands.items():
                walls[name].append(wall(argv, env))
            for name, graph in graphs.items():
                for phase, seconds in phases(graph).items():
                    cpu[name].setdefault(phase, []).append(seconds)

        floor = statistics.median(walls['python -c "import pyshacl"'])
        print(f"\nwall time, median of {args.runs}:")
        for name, times in walls.items():
            median = statistics.median(times)
            print(f"  {name:<40} {median:6.2f} s   {median / floor:5.1f}x the pySHACL import")
        for name, by_phase in cpu.items():
            total = statistics.median(by_phase["total"])
            print(f"\nin-process CPU time, {name}, median of {args.runs}:")
            for phase, times in by_phase.items():
                median = statistics.median(times)
                print(f"  {phase:<12} {median:6.3f} s   {median / total:6.1%}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
