"""Load the graph into a remote store over the SPARQL 1.1 Graph Store Protocol.

One HTTP PUT per named graph (one per source document, as ``store.graph_name`` names them), so a PUT
replaces that graph whole: running ``push`` again gives the same store, never duplicates. Every file is
parsed before anything is sent, so a syntax error in the last file leaves the remote store untouched.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import EndpointError, UsageError


@dataclass(frozen=True)
class Pushed:
    graph: str
    triples: int
    status: int


def graph_url(store_url: str, graph: str) -> str:
    """The GSP address of one named graph: ``?graph=<IRI>`` (indirect identification)."""
    parts = urllib.parse.urlsplit(store_url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in ("graph", "default")] + [("graph", graph)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def prepare(graph_dir: Path | None = None, ontology_dir: Path | None = None) -> list[tuple[str, bytes, int]]:
    """Every named graph as (IRI, N-Triples bytes, triple count), parsed and checked before sending."""
    import pyoxigraph as ox

    from .store import graph_name, load_files, turtle_files

    gdir, odir = paths.graph_dir(graph_dir), paths.ontology_dir(ontology_dir)
    files = turtle_files(gdir, odir)
    prepared = []
    for path in files:
        # Parsing through load_files gives the same file:line errors as every other command.
        scratch = ox.Store()
        load_files(scratch, [path], odir)
        name = graph_name(path, odir)
        triples = [quad.triple for quad in scratch.quads_for_pattern(None, None, None, name)]
        prepared.append((name.value, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), len(triples)))
    names = [name for name, _, _ in prepared]
    if len(set(names)) != len(names):
        raise UsageError("two files map to the same named graph; rename one")
    return prepared


def put_graph(store_url: str, graph: str, body: bytes, timeout: float) -> int:
    """PUT one graph; the HTTP status on success, an EndpointError naming the graph otherwise."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(graph_url(store_url, graph), data=body, method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace").strip().splitlines()
        message = detail[0] if detail else err.reason
        raise EndpointError(f"{store_url}: PUT of graph <{graph}> failed: HTTP {err.code}: {message}") from None
    except TimeoutError:
        raise EndpointError(f"{store_url}: PUT of graph <{graph}> timed out after {timeout:g} s") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise EndpointError(f"{store_url}: cannot reach graph store: {reason}") from None


def push(
    store_url: str,
    graph_dir: Path | None = None,
    ontology_dir: Path | None = None,
    *,
    timeout: float = 300.0,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Pushed]:
    """Replace each named graph in the remote store with the local one. ``progress(done, total, graph)``
    is called after each PUT, with byte counts."""
    check_url(store_url)
    return send(store_url, prepare(graph_dir, ontology_dir), timeout=timeout, progress=progress)


def check_url(store_url: str) -> None:
    if not store_url.startswith(("http://", "https://")):
        raise UsageError(f"--store must be an http(s) URL, not {store_url!r}")


def send(
    store_url: str,
    prepared: list[tuple[str, bytes, int]],
    *,
    timeout: float = 300.0,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Pushed]:
    """PUT each prepared graph, in order."""
    total = sum(len(body) for _, body, _ in prepared)
    done = 0
    pushed = []
    for graph, body, count in prepared:
        status = put_graph(store_url, graph, body, timeout)
        done += len(body)
        pushed.append(Pushed(graph, count, status))
        if progress:
            progress(done, total, graph)
    return pushed
