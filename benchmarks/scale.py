"""Scale: actorgraph's store against plain rdflib and raw pyoxigraph on synthetic graphs of our ontology.

For each size (statements: 10k, 100k, 1M by default) it writes a synthetic graph in our data model
(actors with labels; one file per source document of statement nodes with quote, source, assertedBy,
status and a dated blank node, beside the direct triple), then measures, each engine in its own
subprocess so that peak memory (ru_maxrss) is that engine's alone:

  - actorgraph              LocalStore.open in memory (ACTORGRAPH_STORE_CACHE=never): a long-lived process
  - actorgraph-cache-build  LocalStore.open compiling the on-disk cache (the first CLI run on new data)
  - actorgraph-cached       LocalStore.open with the cache built (what every later CLI run pays)
  - pyoxigraph       raw ``pyoxigraph.Store()`` in memory, ``load`` per file into its named graph
  - pyoxigraph-disk  raw ``pyoxigraph.Store.read_only()`` on the on-disk store that the cache build wrote:
                     the like-for-like baseline of actorgraph-cached
  - rdflib           plain ``rdflib.Graph()`` in memory (its default store), ``parse`` of every file
                     into it: the union the named queries read (none names a graph). A Dataset with a
                     graph per file answers the same and needs ~40% more memory, so rdflib gets the
                     cheaper of the two

and for each: load time, peak memory, the time of every named query in src/actorgraph/queries/*.rq
(required entity parameters bound to a synthetic actor, required strings to a word in the quotes,
optional parameters left out), and, for actorgraph, the bare network structure, ``path``, the HTML
export and ``centrality`` from it (each reading the evidence it shows), and the whole projection with
every statement's evidence. (benchmarks/growth.py times the network commands as users run them.)
Every measurement is bounded by a timeout; one that runs out is reported as "> T s". Ratios are
printed side by side from the same run.

Usage:
    python benchmarks/scale.py                         # 10k, 100k, 1M statements
    python benchmarks/scale.py --sizes 10000,100000 --timeout 120 --json results.json
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "src" / "actorgraph" / "queries"
ENGINES = ("actorgraph", "actorgraph-cache-build", "actorgraph-cached", "pyoxigraph", "pyoxigraph-disk", "rdflib")
DOCUMENTS = 10
WORDS = ("said", "offered", "agreed", "denied", "reported", "prison", "minister", "sanction", "talks",
         "deal", "visit", "accused", "arrest", "transfer", "leader", "government", "meeting", "claim")
STATUSES = ("Reported", "Alleged", "Claimed", "Offered", "Agreed", "NotAgreed", "Requested", "Denied")
QUOTE_WORD = "minister"


# -- the synthetic graph --------------------------------------------------------------------------


def relationship_types() -> list[str]:
    import pyoxigraph as ox

    store = ox.Store()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    query = ("SELECT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> "
             "<https://w3id.org/actorgraph/ont#relatedTo> } ORDER BY ?p")
    return [sol["p"].value.rsplit("#", 1)[1] for sol in store.query(query)]


def actor_count(statements: int) -> int:
    return max(20, statements // 10)


def generate(statements: int, target: Path, seed: int = 7) -> int:
    """Write the graph/ directory for ``statements`` statements; returns the number of bytes written."""
    rng = random.Random(seed)
    predicates = relationship_types()
    actors = actor_count(statements)
    hubs = max(1, actors // 100)
    target.mkdir(parents=True, exist_ok=True)
    head = ("@prefix ag: <https://w3id.org/actorgraph/ont#> .\n@prefix agid: <https://w3id.org/actorgraph/id/> .\n"
            "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            "@prefix time: <http://www.w3.org/2006/time#> .\n\n")
    with (target / "actors.ttl").open("w", encoding="utf-8") as out:
        out.write(head)
        for i in range(actors):
            kind = "Person" if i % 3 else "Organization"
            out.write(f'agid:actor-{i} a ag:{kind} ; rdfs:label "{kind} {i}" ; skos:altLabel "{kind[0]}{i}" .\n')
    with (target / "sources.ttl").open("w", encoding="utf-8") as out:
        out.write(head)
        out.write('agid:reporting a ag:Actor ; rdfs:label "the reporting" .\n')
        for d in range(DOCUMENTS):
            out.write(f'agid:doc-report-{d:02d} a ag:SourceDocument ; rdfs:label "Report {d}" .\n')

    def pick() -> int:
        return rng.randrange(hubs) if rng.random() < 0.2 else rng.randrange(actors)

    per_doc = -(-statements // DOCUMENTS)
    for d in range(DOCUMENTS):
        with (target / f"report-{d:02d}.ttl").open("w", encoding="utf-8") as out:
            out.write(head)
            for i in range(d * per_doc, min(statements, (d + 1) * per_doc)):
                s, o = pick(), pick()
                if o == s:
                    o = (s + 1) % actors
                p = predicates[i % len(predicates)]
                words = " ".join(rng.choice(WORDS) for _ in range(8))
                asserted = "agid:reporting" if i % 4 else f"agid:actor-{pick()}"
                status = STATUSES[i % len(STATUSES)]
                year, month, day = 2000 + i % 25, 1 + i % 12, 1 + i % 28
                out.write(
                    f"agid:actor-{s} ag:{p} agid:actor-{o} .\n"
                    f"agid:st-{i} a ag:Statement ; rdf:subject agid:actor-{s} ; rdf:predicate ag:{p} ; "
                    f'rdf:object agid:actor-{o} ;\n  ag:quote "Statement {i}: {words}." ; '
                    f"ag:source agid:doc-report-{d:02d} ; ag:assertedBy {asserted} ; ag:status ag:{status} ;\n"
                    f'  ag:pointInTime [ a ag:DateValue ; ag:dateValue "{year}-{month:02d}-{day:02d}"^^xsd:date ; '
                    f"ag:precision time:unitDay ; ag:inferred false ] .\n")
    return sum(p.stat().st_size for p in target.glob("*.ttl"))


# -- one engine, in its own process ---------------------------------------------------------------


class TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise TimedOut


def timed(func, timeout: float):
    """(seconds, result) or (None, None) when it ran past ``timeout`` (SIGALRM between bytecodes)."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        result = func()
        return time.perf_counter() - start, result
    except TimedOut:
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class NotRun(Exception):
    pass


def guarded(func, timeout: float):
    """Seconds, None past the timeout, or "error: ..." when the engine rejects the query."""
    try:
        return timed(func, timeout)[0]
    except NotRun as err:
        return f"not run: {err}"
    except Exception as err:  # noqa: BLE001 - an engine's failure is a result to report
        return f"error: {type(err).__name__}: {str(err).splitlines()[0][:80] if str(err) else ''}"


def read_all(solutions) -> list:
    """Every value of every row: what a caller of raw pyoxigraph does to use an answer."""
    names = [v.value for v in solutions.variables]
    return [[solution[n] for n in names] for solution in solutions]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def named_queries() -> list:
    from actorgraph.queries import list_queries

    return list_queries(QUERIES)


def raw_bindings(query, actor_iri: str):
    """Required parameters as (name, kind, value): entities → the synthetic actor, strings → a word."""
    out = {}
    for param in query.params:
        if not param.required:
            continue
        if param.type == "entity":
            out[param.name] = ("iri", actor_iri)
        else:
            out[param.name] = ("literal", QUOTE_WORD)
    return out


def emit(**fields) -> None:
    print(json.dumps(fields), flush=True)


def network_steps(kg, ends) -> list:
    """As the CLI runs them: the bare structure (built through SPARQL), then path, the HTML export and
    centrality from it (each reading only the evidence it shows), then the whole projection with every
    statement's evidence (``kg.network()``, what a notebook gets). ``ends()`` gives path's two entities."""
    from actorgraph import network

    def structure():
        return kg.structure()

    def path():
        return network.shortest_paths(kg.structure(), *ends())

    def html():
        # What `actorgraph export html` builds: at most HTML_MAX_NODES entities drawn.
        from actorgraph.export import HTML_MAX_NODES, View, build

        return build(kg, "html", View(max_nodes=HTML_MAX_NODES))

    def centrality():
        return network.centrality(kg.structure())

    def project():
        return kg.network()

    return [("structure", structure, "analysis"), ("path", path, "analysis"), ("html export", html, "analysis"),
            ("centrality", centrality, "analysis"), ("network projection", project, "analysis")]


def rdflib_kg(graph, namespaces):
    """Our KnowledgeGraph over an rdflib Graph, so that the projection and the analyses run on rdflib:
    a benchmark-only Store whose SELECT and ASK go to ``graph.query`` (terms converted to pyoxigraph's)."""
    import pyoxigraph as ox
    import rdflib

    from actorgraph.kg import KnowledgeGraph
    from actorgraph.store import SelectResult, Store, bind_values

    def term(value):
        if isinstance(value, rdflib.URIRef):
            return ox.NamedNode(str(value))
        if isinstance(value, rdflib.BNode):
            return ox.BlankNode(str(value))
        if value.language:
            return ox.Literal(str(value), language=value.language)
        return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)) if value.datatype else None)

    class RdflibStore(Store):
        description = "rdflib Graph in memory (benchmark)"

        def _run(self, query, bindings):
            return graph.query(bind_values(query, bindings), initNs=namespaces)

        def select(self, query, bindings=None):
            result = self._run(query, dict(bindings or {}))
            variables = [str(v) for v in result.vars]
            return SelectResult(variables, [{v: term(t) for v, t in zip(variables, row, strict=True) if t is not None}
                                            for row in result])

        def ask(self, query, bindings=None):
            return bool(self._run(query, dict(bindings or {})).askAnswer)

        def run(self, query, bindings=None):
            # Rows as tuples of pyoxigraph terms in the variables' order, as Oxigraph's solutions iterate.
            result = self._run(query, dict(bindings or {}))
            return [tuple(None if t is None else term(t) for t in row) for row in result]

    return KnowledgeGraph(RdflibStore())


def worker(engine: str, graph: Path, timeout: float, load_timeout: float, start_at: int,
           only: frozenset[str] = frozenset()) -> None:
    """Load, then run the steps from ``start_at`` on, printing one JSON line per result.

    The driver reads the lines with a deadline: a step stuck inside Rust (where SIGALRM cannot reach)
    gets the process killed, and the driver starts a fresh one at the next step.
    """
    from actorgraph.store import PREFIXES, bind_values

    files = sorted(ONTOLOGY.glob("*.ttl")) + sorted(graph.glob("*.ttl"))
    actors = sum(1 for _ in open(graph / "actors.ttl", encoding="utf-8")) - 8
    b = actors - 2 if (actors - 2) % 3 else actors - 3  # a Person, like actor 1
    a_iri, b_iri = "https://w3id.org/actorgraph/id/actor-1", f"https://w3id.org/actorgraph/id/actor-{b}"
    steps: list = []

    def raw_text(query) -> str:
        # The same VALUES-bound, prepared text LocalStore runs: pyoxigraph's substitutions need the
        # variable in the projection, and rdflib's initBindings fails on some named queries (NotBoundError).
        import pyoxigraph as ox

        from actorgraph.queries import prepared

        subs = {k: ox.NamedNode(v) if kind == "iri" else ox.Literal(v)
                for k, (kind, v) in raw_bindings(query, a_iri).items()}
        if "b" in subs:
            subs["b"] = ox.NamedNode(b_iri)
        return bind_values(prepared(query, subs), subs)

    def pyoxigraph_steps(store) -> None:
        for query in named_queries():
            text = raw_text(query)
            steps.append((query.name, lambda t=text: read_all(store.query(
                t, prefixes=PREFIXES, use_default_graph_as_union=True)), "queries"))

    if engine.startswith("actorgraph"):
        import actorgraph

        os.environ["ACTORGRAPH_STORE_CACHE"] = "never" if engine == "actorgraph" else "always"
        seconds, kg = timed(lambda: actorgraph.load(graph, ONTOLOGY), load_timeout)
        emit(load=seconds, mb_load=peak_mb(), store=("on-disk cache" if kg and kg.store.key else "in memory"))
        if kg is None or engine == "actorgraph-cache-build":
            return
        name_a, name_b = "Person 1", f"Person {b}"
        # The name index is built once per process, by the first command that resolves a name.
        steps.append(("name index", lambda: kg.names, "analysis"))
        for query in named_queries():
            params = {p.name: (name_a if p.type == "entity" else QUOTE_WORD) for p in query.params if p.required}
            if "a" in params and "b" in params:
                params["b"] = name_b
            steps.append((query.name, lambda q=query, p=params: kg.named(q.name, **p), "queries"))
        if engine == "actorgraph":
            steps += network_steps(kg, lambda: (kg.resolve(name_a), kg.resolve(name_b)))
    elif engine == "pyoxigraph":
        import pyoxigraph as ox

        from actorgraph.store import graph_name

        def load():
            store = ox.Store()
            for path in files:
                store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph_name(path, ONTOLOGY))
            return store

        seconds, store = timed(load, load_timeout)
        emit(load=seconds, mb_load=peak_mb())
        if store is None:
            return
        pyoxigraph_steps(store)
    elif engine == "pyoxigraph-disk":
        import pyoxigraph as ox

        built = sorted(Path(os.environ["ACTORGRAPH_CACHE_DIR"]).glob("stores/*/COMPLETE"))
        if not built:
            raise SystemExit("pyoxigraph-disk needs the store that actorgraph-cache-build writes")
        seconds, store = timed(lambda: ox.Store.read_only(str(built[-1].parent / "db")), load_timeout)
        emit(load=seconds, mb_load=peak_mb())
        pyoxigraph_steps(store)
    elif engine == "rdflib":
        import rdflib

        def load():
            union = rdflib.Graph()
            for path in files:
                union.parse(str(path), format="turtle")
            return union

        seconds, union = timed(load, load_timeout)
        emit(load=seconds, mb_load=peak_mb())
        if union is None:
            return
        namespaces = {k: rdflib.Namespace(v) for k, v in PREFIXES.items()}
        for query in named_queries():
            # rdflib gets each query as written, without the label tables of `# listing: yes`, which it
            # evaluates far slower (10k statements: quotes 3.2 s -> > 60 s): its best form, not ours.
            text = raw_text(dataclasses.replace(query, listing=False))
            steps.append((query.name, lambda t=text: list(union.query(t, initNs=namespaces)), "queries"))
        # The same projection and analyses as ours, over rdflib (entities given as IRIs: rdflib's name
        # index is the `names` query above).
        steps += network_steps(rdflib_kg(union, namespaces), lambda: (a_iri, b_iri))
    else:
        raise SystemExit(f"unknown engine {engine}")

    if only:  # --steps: the load, then only these
        steps = [step for step in steps if step[0] in only]
    for index, (name, func, group) in enumerate(steps):
        if index < start_at:
            continue
        gc.collect()  # untimed: a step does not pay for collecting the previous step's answer
        emit(step=index, name=name, group=group, starting=True)
        emit(step=index, name=name, group=group, seconds=guarded(func, timeout), mb=peak_mb())
    emit(done=True, steps=len(steps))


# -- the driver -----------------------------------------------------------------------------------


def run_engine(engine: str, graph: Path, timeout: float, load_timeout: float, cache: Path,
               memory_gib: float | None, steps: str = "") -> dict:
    """Run one engine in fresh interpreters, killing one whose step overruns (hard timeout), and
    resuming at the next step in a new one. A crash is reported, not raised."""
    import selectors

    env = dict(os.environ, ACTORGRAPH_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT / "src"))
    result: dict = {"engine": engine, "queries": {}, "analysis": {}, "timeout": timeout,
                    "load_timeout": load_timeout}
    start_at = 0
    first = True
    while True:
        cmd = [sys.executable, __file__, "--worker", engine, "--graph", str(graph), "--timeout", str(timeout),
               "--load-timeout", str(load_timeout), "--start-at", str(start_at)]
        if memory_gib:
            cmd += ["--memory-gib", str(memory_gib)]
        if steps:
            cmd += ["--steps", steps]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + load_timeout + 30
        current = None
        finished = overran = False
        pending = b""
        try:
            while True:
                # Raw reads and our own line buffer: a buffered reader could hold lines that select()
                # no longer reports, and a finished step would look like an overrun.
                if b"\n" not in pending:
                    if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                        overran = True
                        break  # killed below
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break  # exited
                    pending += chunk
                    continue
                line, pending = pending.split(b"\n", 1)
                msg = json.loads(line)
                if "load" in msg:
                    if first:
                        result.update(load=msg["load"], mb_load=msg["mb_load"], store=msg.get("store"))
                    if msg["load"] is None:
                        finished = True
                        break
                    deadline = time.monotonic() + timeout + 10
                elif msg.get("starting"):
                    current = msg
                    deadline = time.monotonic() + timeout + 10
                elif "seconds" in msg:
                    deadline = time.monotonic() + timeout + 10
                    result[msg["group"]][msg["name"]] = msg["seconds"]
                    result["mb" if msg["group"] == "queries" else "mb_analysis"] = msg["mb"]
                    current = None
                elif msg.get("done"):
                    finished = True
                    break
        finally:
            proc.kill()
            _, err_bytes = proc.communicate()
            err = err_bytes.decode("utf-8", "replace")
        first = False
        if finished:
            return result
        if current is None:
            if "load" not in result:
                result["load"] = None
                if err.strip():
                    result["error"] = err.strip().splitlines()[-1][:200]
            elif err.strip() and "Traceback" in err:
                result["error"] = err.strip().splitlines()[-1][:200]
            return result
        if not overran:  # the process died in the middle of a step (out of memory, a crash)
            last = err.strip().splitlines()[-1][:120] if err.strip() else f"exit {proc.returncode}"
            result[current["group"]][current["name"]] = f"error: {last}"
        else:  # the step overran its timeout inside native code
            result[current["group"]][current["name"]] = None
        # Record it and resume after it, in a fresh process.
        if current["name"] == "structure":  # path, the export and centrality start from it
            for later in ("path", "html export", "centrality"):
                result["analysis"][later] = "not run: needs the structure"
            return result
        start_at = current["step"] + 1


def fmt_time(value, timeout: float) -> str:
    if isinstance(value, str):
        return value
    return f"> {timeout:g} s" if value is None else f"{value:.3f} s"


def ratio(base, ours, timeout: float) -> str:
    if not isinstance(ours, float) or ours <= 0:
        return ""
    if base is None:
        return f"> {timeout / ours:.0f}x"
    if not isinstance(base, float):
        return ""
    return f"{base / ours:.1f}x"


COLUMNS = [("actorgraph", "actorgraph (memory)"), ("actorgraph-cache-build", "actorgraph (cache build)"),
           ("actorgraph-cached", "actorgraph (cached)"), ("pyoxigraph", "pyoxigraph (memory)"),
           ("pyoxigraph-disk", "pyoxigraph (disk)"), ("rdflib", "rdflib")]
RATIOS = ("rdflib / memory", "rdflib / cached", "memory / pyoxigraph", "cached / pyoxigraph (disk)")


def report(size: int, triples_bytes: int, results: dict[str, dict], timeout: float,
           load_timeout: float) -> str:
    # A copy: the rows "with its structure" are added to it, not to the figures written to --json.
    results = {engine: {**res, "analysis": dict(res.get("analysis") or {})} for engine, res in results.items()}
    lines = [f"\n### {size:,} statements ({triples_bytes / 1e6:.0f} MB of Turtle)\n"]
    for engine, res in results.items():
        if "error" in res:
            lines.append(f"- {engine}: failed: {res['error']}")
        if "reused" in res:
            lines.append(f"- {engine}: figures from an earlier run ({res['reused']})")
    lines.append("")
    lines.append("| measure | " + " | ".join(label for _, label in COLUMNS) + " | " + " | ".join(RATIOS) + " |")
    lines.append("|---" * (len(COLUMNS) + len(RATIOS) + 1) + "|")

    def value(engine, key, sub=None):
        res = results.get(engine, {})
        if "error" in res:
            return "n/a"
        if sub:
            return res.get(sub, {}).get(key, "")
        return res.get(key, "")

    def slower(a, b):
        return f"{a / b:.2f}x" if isinstance(a, float) and isinstance(b, float) and b > 0 else ""

    def limit_of(engine, field, default, key=None):
        # Engines merged from different runs (--reuse) may have had different time limits, down to
        # one step's ("step_timeouts", written when figures of several runs are merged by hand).
        res = results.get(engine, {})
        return res.get("step_timeouts", {}).get(key, res.get(field, default))

    def row(label, key, field, default, sub=None):
        vals = {e: value(e, key, sub) for e, _ in COLUMNS}
        cells = [fmt_time(vals[e], limit_of(e, field, default, key)) if vals[e] != "" else "" for e, _ in COLUMNS]
        mem, cached, raw, disk, rd = (vals[e] for e in ("actorgraph", "actorgraph-cached", "pyoxigraph",
                                                        "pyoxigraph-disk", "rdflib"))
        rd_limit = limit_of("rdflib", field, default, key)
        lines.append(f"| {label} | {' | '.join(cells)} | {ratio(rd, mem, rd_limit)} | "
                     f"{ratio(rd, cached, rd_limit)} | {slower(mem, raw)} | {slower(cached, disk)} |")

    row("load", "load", "load_timeout", load_timeout)
    # Two memory rows: the store once loaded, and the peak over the whole run, which also holds each
    # query's answer as Python objects (a million rows of a listing query take gigabytes on any engine).
    for label, pick in (("memory after load", lambda r: r.get("mb_load")),
                        ("peak memory, answers included", lambda r: r.get("mb") or r.get("mb_load"))):
        mems = {e: pick(results.get(e, {})) for e, _ in COLUMNS}
        cells = [f"{mems[e]:,.0f} MB" if mems[e] else "n/a" for e, _ in COLUMNS]

        def less(engine, mems=mems):
            return f"{mems['rdflib'] / mems[engine]:.1f}x less" if mems["rdflib"] and mems[engine] else ""

        lines.append(f"| {label} | {' | '.join(cells)} | {less('actorgraph')} | {less('actorgraph-cached')} | "
                     f"{slower(mems['actorgraph'], mems['pyoxigraph'])} | "
                     f"{slower(mems['actorgraph-cached'], mems['pyoxigraph-disk'])} |")
    for name in sorted({q for res in results.values() for q in res.get("queries") or {}}):
        row(f"query `{name}`", name, "timeout", timeout, sub="queries")
    analyses = {name: None for res in results.values() for name in res.get("analysis") or {}}
    for name in analyses:
        row(name, name, "timeout", timeout, sub="analysis")
    # What a user waits for: each analysis with the projection it starts from.
    for name, base in (("path", "structure"), ("html export", "structure"), ("centrality", "structure")):
        for res in results.values():
            parts = [res.get("analysis", {}).get(k) for k in (base, name)]
            if all(isinstance(v, float) for v in parts):
                res["analysis"][f"{name}, with its structure"] = sum(parts)
            elif any(v is None for v in parts) and name in res.get("analysis", {}):
                res["analysis"][f"{name}, with its structure"] = None  # a part ran out of time
        if any(f"{name}, with its structure" in res.get("analysis", {}) for res in results.values()):
            row(f"{name}, with its structure", f"{name}, with its structure", "timeout", timeout, sub="analysis")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma-separated statement counts (default: 10000,100000,1000000)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per query or analysis")
    parser.add_argument("--load-timeout", type=float, default=900.0, help="seconds per load")
    parser.add_argument("--rdflib-memory-gib", type=float, default=12.0,
                        help="address-space cap for the rdflib process (it is the one that can exhaust RAM)")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated engines to run (default: all of {', '.join(ENGINES)})")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--reuse", type=Path, help="a --json file of an earlier run to take engines from")
    parser.add_argument("--reuse-engines", default="", help="comma-separated engines to take from --reuse")
    parser.add_argument("--keep", type=Path, help="write the synthetic graphs here and keep them")
    parser.add_argument("--steps", default="",
                        help="comma-separated steps to run after the load (named queries such as statements, "
                             "'name index', structure, path, centrality, 'html export', 'network projection'); "
                             "default all")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--graph", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory-gib", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.memory_gib:
            cap = int(args.memory_gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        try:
            worker(args.worker, args.graph, args.timeout, args.load_timeout, args.start_at,
                   frozenset(filter(None, args.steps.split(","))))
        except MemoryError:
            print(f"out of memory (cap {args.memory_gib:g} GiB)", file=sys.stderr)
            raise SystemExit(3) from None
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    base = args.keep or Path(tempfile.mkdtemp(prefix="actorgraph-scale-"))
    everything = {}
    print(f"# actorgraph scale benchmark\n\ncommand: python benchmarks/scale.py {' '.join(sys.argv[1:])}\n"
          f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f}"
          f" GiB, Python {sys.version.split()[0]}; timeout {args.timeout:g} s per query, "
          f"{args.load_timeout:g} s per load", flush=True)
    try:
        for size in sizes:
            graph = base / f"graph-{size}"
            cache = base / f"cache-{size}"
            start = time.perf_counter()
            if (graph / "COMPLETE").is_file() and (graph / "COMPLETE").read_text() == str(size):
                written = sum(p.stat().st_size for p in graph.glob("*.ttl"))  # kept from an earlier run
            else:
                written = generate(size, graph)
                (graph / "COMPLETE").write_text(str(size))
                print(f"\n(generated {size:,} statements in {time.perf_counter() - start:.0f} s)", flush=True)
            shutil.rmtree(cache, ignore_errors=True)  # the cache build must start cold
            results = {}
            earlier = json.loads(args.reuse.read_text()).get(str(size), {}) if args.reuse else {}
            for engine in ENGINES:
                if engine in args.reuse_engines.split(",") and engine in earlier:
                    results[engine] = {**earlier[engine], "reused": str(args.reuse.name)}
                    continue
                if engine not in args.engines.split(","):
                    results[engine] = {"error": "not run (--engines)", "queries": {}, "analysis": {}}
                    continue
                memory = args.rdflib_memory_gib if engine == "rdflib" else None
                results[engine] = run_engine(engine, graph, args.timeout, args.load_timeout, cache, memory,
                                             args.steps)
                print(f"  {engine}: done", file=sys.stderr, flush=True)
            everything[size] = results
            print(report(size, written, results, args.timeout, args.load_timeout), flush=True)
            if args.json:
                args.json.write_text(json.dumps(everything, indent=1))
            if not args.keep:
                shutil.rmtree(graph, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
