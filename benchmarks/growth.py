"""Growth curves: the network commands at 10k, 30k, 100k and 1M statements, cold and warm, side by side
with another checkout of actorgraph (the code before a change, say) in the same run.

For each size it writes the synthetic graph of benchmarks/scale.py (actors, ten source documents, one
statement per relationship with quote, source, asserting party, status and a date), then times whole
CLI commands as a user runs them (answer cache off), each in a fresh process:

- ``path A B``, ``ego A``, ``centrality --top 20``, ``export html --ego A`` and ``export html`` (the
  whole graph: its 5,000 most connected entities). A is "Person 1", one of the synthetic graph's hubs
  (a thousand or so relationships around it at 100k statements). The three tables are printed as CSV,
  so that the figures are the analysis and not the table layout (whose speed is benchmarked apart);
- first run: nothing cached at all (an empty cache: no compiled store, no structure, no name index);
  the script then waits for the compiled store that the run left building in the background, and
  reports how long that took;
- cold: the first run after a change (a line appended to a small graph file: a new fingerprint, the
  way adding or correcting an article changes one file). The other checkout compiles on every first
  run, so its cold and first runs are one;
- warm: the same command again, ``--runs`` times, alternating between the two checkouts; the median;
- memory: the peak resident memory of the command's process;
- the evidence fetch of the path alone: the query that reads the quotes, parties, statuses and dates
  of the path's relationships, timed inside one process.

Times are wall-clock and CPU (user + system of the command's process, which a busy machine inflates
less); ratios are the other checkout's over ours, from the same run.

Usage:
    git worktree add /tmp/before 3dcaba1            # the code to compare against
    python benchmarks/growth.py --sizes 10000,30000,100000 --baseline /tmp/before
    python benchmarks/growth.py --sizes 1000000 --runs 3  # ours alone
    python benchmarks/growth.py --sizes 1000000 --commands path --keep /tmp/graphs  # one command
    python benchmarks/growth.py --sizes 1000000 --runs 3 --warm-only  # every command, warm
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

COMMANDS = ("path", "ego", "centrality --top 20", "export html --ego", "export html (whole graph)")


def ends(statements: int) -> tuple[str, str]:
    """Two people of the synthetic graph (as benchmarks/scale.py picks them)."""
    from scale import actor_count

    actors = actor_count(statements)
    b = actors - 2 if (actors - 2) % 3 else actors - 3
    return "Person 1", f"Person {b}"


def command_args(name: str, a: str, b: str, out: Path) -> list[str]:
    return {
        "path": ["path", a, b, "--format", "csv"],
        "ego": ["ego", a, "--format", "csv"],
        "centrality --top 20": ["centrality", "--top", "20", "--format", "csv"],
        "export html --ego": ["export", "html", "--ego", a, "-o", str(out)],
        "export html (whole graph)": ["export", "html", "-o", str(out)],
    }[name]


def ontology_for(src: Path, work: Path) -> Path:
    """The ontology a checkout reads: ours, plus, for another checkout, a file that also types each
    relationship type as ``ag:RelationshipType`` (how code from before relationship types became
    sub-properties of ``ag:relatedTo`` finds them), so that both see the same network."""
    if src == ROOT / "src":
        return ROOT / "ontology"
    import pyoxigraph as ox

    target = work / "ontology-for-the-other-checkout"
    if not target.is_dir():
        shutil.copytree(ROOT / "ontology", target)
        store = ox.Store()
        for path in sorted((ROOT / "ontology").glob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        found = store.query("SELECT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> "
                            "<https://w3id.org/actorgraph/ont#relatedTo> }")
        lines = [f"<{row['p'].value}> a <https://w3id.org/actorgraph/ont#RelationshipType> .\n" for row in found]
        (target / "relationship-types.ttl").write_text("".join(lines), encoding="utf-8")
    return target


def run(src: Path, graph: Path, cache: Path, args: list[str], timeout: float) -> dict:
    """One CLI run in a fresh process: wall seconds, CPU seconds and peak memory (or why it failed)."""
    env = dict(os.environ, PYTHONPATH=str(src), ACTORGRAPH_CACHE_DIR=str(cache), ACTORGRAPH_ANSWER_CACHE="never",
               COLUMNS="200")
    env.pop("ACTORGRAPH_STORE_CACHE", None)
    command = [sys.executable, "-m", "actorgraph", "--graph-dir", str(graph), "--ontology-dir",
               str(ontology_for(src, cache.parent)), *args]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(cache.parent))
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"error": f"> {timeout:g} s"}
        time.sleep(0.005)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace").strip()
    if os.waitstatus_to_exitcode(status) != 0:
        return {"error": err.splitlines()[-1][:160] if err else f"exit {status}"}
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024}


def change(graph: Path, count: int) -> None:
    """A new fingerprint: one more comment line in a graph file."""
    with (graph / "sources.ttl").open("a", encoding="utf-8") as out:
        out.write(f"# change {count}\n")


def fingerprint_now(src: Path, graph: Path, work: Path) -> str:
    """The fingerprint of the graph's files as they are now, as the checkout at ``src`` computes it."""
    code = "import sys; from actorgraph.store import DataSource; print(DataSource(*sys.argv[1:]).fingerprint)"
    done = subprocess.run([sys.executable, "-c", code, str(graph), str(ontology_for(src, work))],
                          env=dict(os.environ, PYTHONPATH=str(src)), capture_output=True, text=True, check=True)
    return done.stdout.strip()


def wait_for_compile(cache: Path, timeout: float, key: str | None = None) -> float | None:
    """Seconds until the compiled store of the fingerprint ``key`` is filed under ``cache``, or when no key
    is given, that of every fingerprint there (None: not within timeout). A background compile gives up
    when the files change again before it is done, and may leave the directory of that fingerprint
    without a store: only the current files' store is certain to come."""
    start = time.perf_counter()
    stores = cache / "stores"
    while time.perf_counter() - start < timeout:
        homes = [p for p in stores.iterdir() if p.is_dir() and not p.name.startswith(".")] if stores.is_dir() else []
        if key is not None:
            homes = [stores / key]
        if all((home / "COMPLETE").exists() for home in homes):
            return time.perf_counter() - start
        time.sleep(0.2)
    return None


FETCH = """
import json, sys, time
import actorgraph
from actorgraph.network import _all_shortest_paths
kg = actorgraph.load(sys.argv[1], sys.argv[2])
network = kg.structure()
a, b = network.node(kg.resolve(sys.argv[3])), network.node(kg.resolve(sys.argv[4]))
paths, _ = _all_shortest_paths(network, a, b)
edges = sorted({e for path in paths[:20] for u, v in zip(path, path[1:]) for e in network.edges_between(u, v)})
start = time.perf_counter()
found = network.evidence(edges)
seconds = time.perf_counter() - start
# The ego page, in two parts: the view with its evidence (the network's work), then the page (layout, data).
from actorgraph.export import View, network_view
from actorgraph.export.html import render_network
start = time.perf_counter()
graph, title = network_view(kg, View(ego=sys.argv[3]))
view = time.perf_counter() - start
start = time.perf_counter()
render_network(graph, title, kg.vocabulary)
page = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "relationships": len(edges), "statements": sum(map(len, found.values())),
                  "ego view": view, "ego page": page, "ego entities": graph.number_of_nodes(),
                  "ego relationships": graph.number_of_edges()}))
"""


def evidence_fetch(src: Path, graph: Path, cache: Path, a: str, b: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), ACTORGRAPH_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-c", FETCH, str(graph), str(ROOT / "ontology"), a, b], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:160]}
    return json.loads(done.stdout)


def measure(size: int, graph: Path, work: Path, sides: dict[str, Path], runs: int, timeout: float,
            commands: tuple[str, ...] = COMMANDS, warm_only: bool = False) -> dict:
    a, b = ends(size)
    out = work / "out.html"
    results: dict = {side: {"first": {}, "cold": {}, "warm": {}, "compile": {}} for side in sides}
    count = 0
    for side, src in sides.items():
        for name in commands[:1] if warm_only else commands:
            # The first run ever: an empty cache.
            cache = work / f"cache-{side}"
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir(parents=True)
            count += 1
            change(graph, count)
            results[side]["first"][name] = run(src, graph, cache, command_args(name, a, b, out), timeout)
            print(f"  {size:,} {side} first {name}: {results[side]['first'][name]}", file=sys.stderr, flush=True)
            # The compile it leaves in the background (ours; the other compiles as it goes), then the
            # first run after a change of one small file.
            key = fingerprint_now(src, graph, cache.parent) if side == "ours" else None
            results[side]["compile"][name] = wait_for_compile(cache, timeout=max(timeout, 3600), key=key)
            if warm_only:
                continue
            if side == "ours":
                count += 1
                change(graph, count)
                results[side]["cold"][name] = run(src, graph, cache, command_args(name, a, b, out), timeout)
                wait_for_compile(cache, timeout=max(timeout, 3600), key=fingerprint_now(src, graph, cache.parent))
            else:
                results[side]["cold"][name] = results[side]["first"][name]  # it compiles either way
            print(f"  {size:,} {side} cold {name}: {results[side]['cold'][name]}", file=sys.stderr, flush=True)
    # Warm: everything cached for the current files; the checkouts alternate run by run.
    for side, src in sides.items():
        for name in commands:  # one untimed run builds what the cold runs of other commands did not
            run(src, graph, work / f"cache-{side}", command_args(name, a, b, out), timeout)
    for name in commands:
        samples: dict[str, list[dict]] = {side: [] for side in sides}
        for _ in range(runs):
            for side, src in sides.items():
                samples[side].append(run(src, graph, work / f"cache-{side}", command_args(name, a, b, out), timeout))
        for side in sides:
            good = [s for s in samples[side] if "error" not in s]
            results[side]["warm"][name] = ({k: statistics.median(s[k] for s in good) for k in ("wall", "cpu", "mb")}
                                           if good else samples[side][0])
            print(f"  {size:,} {side} warm {name}: {results[side]['warm'][name]}", file=sys.stderr, flush=True)
    results["ours"]["evidence fetch"] = evidence_fetch(sides["ours"], graph, work / "cache-ours", a, b)
    return results


def cell(result: dict | None, key: str = "wall") -> str:
    if not result:
        return ""
    if "error" in result:
        return result["error"]
    return f"{result[key]:.2f} s"


def ratio(before: dict | None, ours: dict | None, key: str = "wall") -> str:
    if not before or not ours or "error" in ours:
        return ""
    if "error" in before:
        return f"> {float(before['error'].split()[1]) / ours[key]:.0f}x" if before["error"].startswith(">") else ""
    return f"{before[key] / ours[key]:.1f}x"


def report(size: int, megabytes: float, results: dict) -> str:
    ours, before = results["ours"], results.get("before")
    lines = [f"\n### {size:,} statements ({megabytes:.0f} MB of Turtle)\n"]
    head = ["command", "ours: first run", "ours: cold", "ours: warm", "ours: warm, CPU", "ours: peak memory"]
    if before:
        head += ["before: cold", "before: warm", "before: peak memory", "before / ours, cold",
                 "before / ours, warm"]
    lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name in COMMANDS:
        if name not in ours["first"] and name not in ours["warm"]:
            continue
        first, cold, warm = ours["first"].get(name), ours["cold"].get(name), ours["warm"].get(name)
        row = [f"`{name}`", cell(first), cell(cold), cell(warm), cell(warm, "cpu"),
               f"{max(r['mb'] for r in (first, cold, warm) if r and 'mb' in r):,.0f} MB"
               if any(r and "mb" in r for r in (first, cold, warm)) else ""]
        if before:
            b_cold, b_warm = before["cold"].get(name), before["warm"].get(name)
            peak = [r["mb"] for r in (b_cold, b_warm) if r and "mb" in r]
            row += [cell(b_cold), cell(b_warm), f"{max(peak):,.0f} MB" if peak else "",
                    ratio(b_cold, cold), ratio(b_warm, warm)]
        lines.append("| " + " | ".join(row) + " |")
    fetch = ours.get("evidence fetch", {})
    if "seconds" in fetch:
        lines.append(f"\nEvidence of the path (its {fetch['relationships']} relationships, {fetch['statements']} "
                     f"statements, one query): {fetch['seconds'] * 1000:.1f} ms.")
    if "ego view" in fetch:
        lines.append(f"`export html --ego`, inside one process: the view ({fetch['ego entities']:,} entities, "
                     f"{fetch['ego relationships']:,} relationships, with their evidence) {fetch['ego view']:.2f} s, "
                     f"then the page (its layout and data) {fetch['ego page']:.2f} s.")
    compiles = [v for v in ours["compile"].values() if isinstance(v, float)]
    if compiles:
        lines.append(f"The compiled store that a first run leaves building in the background was ready "
                     f"{statistics.median(compiles):.1f} s after the run ended (median).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000,1000000")
    parser.add_argument("--baseline", type=Path, help="the root of another checkout to compare against")
    parser.add_argument("--baseline-sizes", default="10000,30000,100000",
                        help="sizes at which the other checkout runs too (default: up to 100k)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per command and checkout (median)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command")
    parser.add_argument("--keep", type=Path, help="write the synthetic graphs here and keep them")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--commands", default=",".join(COMMANDS),
                        help=f"which of them, separated by commas (default: all: {', '.join(COMMANDS)})")
    parser.add_argument("--warm-only", action="store_true",
                        help="one first run (the first command), then warm runs only: no first or cold run of "
                             "each command (at a million statements each takes minutes)")
    args = parser.parse_args()

    from scale import generate

    base = args.keep or Path(tempfile.mkdtemp(prefix="actorgraph-growth-"))
    everything = {}
    print(f"# actorgraph growth curves\n\ncommand: python benchmarks/growth.py {' '.join(sys.argv[1:])}\n"
          f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} "
          f"GiB, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            graph = base / f"graph-{size}"
            if not ((graph / "COMPLETE").is_file() and (graph / "COMPLETE").read_text() == str(size)):
                generate(size, graph)
                (graph / "COMPLETE").write_text(str(size))
            sources = (graph / "sources.ttl").read_bytes()
            megabytes = sum(p.stat().st_size for p in graph.glob("*.ttl")) / 1e6
            sides = {"ours": ROOT / "src"}
            if args.baseline and str(size) in args.baseline_sizes.split(","):
                sides["before"] = args.baseline / "src"
            work = base / f"work-{size}"
            try:
                commands = tuple(c for c in COMMANDS if c in args.commands.split(","))
                everything[size] = measure(size, graph, work, sides, args.runs, args.timeout, commands,
                                           args.warm_only)
            finally:
                (graph / "sources.ttl").write_bytes(sources)  # the changes undone
                shutil.rmtree(work, ignore_errors=True)
            print(report(size, megabytes, everything[size]), flush=True)
            if args.json:
                args.json.write_text(json.dumps(everything, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
