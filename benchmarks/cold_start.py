"""Cold start: does a whole CLI query answer faster than Python can import rdflib?

Runs, side by side and interleaved in one run (so machine load hits all of them alike):
  - python -c "import rdflib"                       (the bar to beat)
  - actorgraph who-negotiated                       (on the shipped graph)
  - actorgraph show "Osiris Luna Meza"
each three ways: as a user gets it (a repeated question is answered from the answer cache, keyed by the
graph's and the code's bytes), with every query really run (ACTORGRAPH_ANSWER_CACHE=never), and run on
the compiled on-disk store (ACTORGRAPH_STORE_CACHE=always); and each of those twice: with actorgraph's
modules compiled to .pyc files, and without them (each run compiles them again, as in an environment
with PYTHONDONTWRITEBYTECODE set or a read-only install). Both run from copies of the package, and
every run (rdflib's too) has PYTHONDONTWRITEBYTECODE=1, so neither copy changes. Prints each median
wall time and its ratio to the rdflib import.

With ``--compare DIR`` (another checkout's ``src/actorgraph``, such as the main branch's), the commands
with every query run are also timed on that code, interleaved with the rest, marked "(compared)".

Usage: python benchmarks/cold_start.py [--runs 21] [--compare /path/to/other/src/actorgraph]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "actorgraph"


def actorgraph_command() -> list[str]:
    exe = shutil.which("actorgraph")
    return [exe] if exe else [sys.executable, "-m", "actorgraph"]


def time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (median is reported)")
    parser.add_argument("--compare", type=Path, help="another copy of the package, timed beside this one")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="actorgraph-bench-"))
    base = {**os.environ, "ACTORGRAPH_CACHE_DIR": str(work / "cache"), "COLUMNS": "200",
            "PYTHONDONTWRITEBYTECODE": "1"}
    base.pop("ACTORGRAPH_ENDPOINT", None)
    ag = actorgraph_command()
    show = [*ag, "show", "Osiris Luna Meza"]
    negotiated = [*ag, "who-negotiated"]
    cases = {'python -c "import rdflib"': ([sys.executable, "-c", "import rdflib"], base)}
    for mode, compiled in ((".pyc", True), ("no .pyc", False)):
        copy = work / mode.replace(" ", "-").lstrip(".")
        shutil.copytree(PACKAGE, copy / "actorgraph", ignore=shutil.ignore_patterns("__pycache__"))
        if compiled:
            compileall.compile_dir(copy / "actorgraph", quiet=1)
        env = {**base, "PYTHONPATH": str(copy)}
        uncached = {**env, "ACTORGRAPH_ANSWER_CACHE": "never"}
        compiled_store = {**uncached, "ACTORGRAPH_STORE_CACHE": "always"}
        if args.compare:
            other = work / f"compared-{copy.name}"
            shutil.copytree(args.compare, other / "actorgraph", ignore=shutil.ignore_patterns("__pycache__"))
            if compiled:
                compileall.compile_dir(other / "actorgraph", quiet=1)
            theirs = {**base, "PYTHONPATH": str(other), "ACTORGRAPH_ANSWER_CACHE": "never"}
            cases.update({f"who-negotiated, {mode}, query run (compared)": (negotiated, theirs),
                          f'show "Osiris Luna Meza", {mode}, query run (compared)': (show, theirs)})
        cases.update({
            f"who-negotiated, {mode}": (negotiated, env),
            f'show "Osiris Luna Meza", {mode}': (show, env),
            f"who-negotiated, {mode}, query run": (negotiated, uncached),
            f'show "Osiris Luna Meza", {mode}, query run': (show, uncached),
            f"who-negotiated, {mode}, query run, on-disk store": (negotiated, compiled_store),
            f'show "Osiris Luna Meza", {mode}, query run, on-disk store': (show, compiled_store),
        })
    for argv, env in cases.values():  # warm the page cache and build the compiled store once
        time_once(argv, env)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (argv, env) in cases.items():
            samples[name].append(time_once(argv, env))
    shutil.rmtree(work, ignore_errors=True)

    baseline = statistics.median(samples['python -c "import rdflib"'])
    print(f"cold start, median of {args.runs} interleaved runs, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}")
    print(f"{'command':62} {'median':>9} {'ratio to import rdflib':>24}")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"{name:62} {median * 1000:7.0f} ms {median / baseline:23.2f}x")
    for mode in (".pyc", "no .pyc"):
        for label, suffix in (("as users run them (answer cache)", ""), ("with every query run", ", query run")):
            names = [f"who-negotiated, {mode}{suffix}", f'show "Osiris Luna Meza", {mode}{suffix}']
            worst = max(statistics.median(samples[n]) for n in names)
            verdict = "met" if worst <= baseline else "NOT met"
            print(f"target (at most 1.0x), {mode}, {label}: {verdict} ({worst / baseline:.2f}x for the slower "
                  f"command)")

if __name__ == "__main__":
    main()
