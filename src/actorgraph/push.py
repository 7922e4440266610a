"""Load the graph into a remote store: one named graph per source document, all at once where the store
allows it, and otherwise with the truth about what was replaced.

Every file is parsed before anything is sent, so a syntax error leaves the store untouched. Then:

* **With an update endpoint** (``update_url``), each graph is uploaded (Graph Store Protocol ``PUT``) to
  a staging graph of its own, and one SPARQL Update request of ``MOVE`` operations swaps them all in. A
  store that applies a request atomically (Oxigraph does) gives all or nothing; for one that applies
  it operation by operation (Virtuoso does), a failed swap is followed by asking the store which
  staging graphs are still there, so the report says which graphs were replaced. A failure or Ctrl-C
  while uploading drops the staging graphs and replaces nothing; Ctrl-C during the swap waits for the
  store's answer, since a request already sent cannot be taken back.
* **Without one**, each graph is replaced in turn by a ``PUT``; a failure or Ctrl-C part-way raises
  ``PushFailed`` naming which graphs were replaced, which were not, and which are unknown.

Either way a graph is replaced whole, so running ``push`` again gives the same store, never duplicates.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    ActorgraphError,
    DataFileError,
    EndpointError,
    EndpointTimeout,
    HTTPStatusError,
    PushFailed,
    UsageError,
)

if TYPE_CHECKING:
    from .store import DataSource

REPLACED, NOT_REPLACED, UNKNOWN = "replaced", "not replaced", "unknown"
STAGING_NS = "https://w3id.org/actorgraph/staging/"  # staging graphs: STAGING_NS + run token + "/" + index
ENV_PASSWORD = "ACTORGRAPH_STORE_PASSWORD"

Prepared = tuple[str, bytes, int]  # (graph IRI, N-Triples, triple count)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Pushed:
    """One named graph and what became of it: ``replaced``, ``not replaced`` or ``unknown``."""

    graph: str
    triples: int
    state: str


def graph_url(store_url: str, graph: str) -> str:
    """The GSP address of one named graph: ``?graph=<IRI>`` (indirect identification)."""
    parts = urllib.parse.urlsplit(store_url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in ("graph", "default")] + [("graph", graph)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def prepare(graph_dir: DataSource | Path | None = None, ontology_dir: Path | None = None) -> list[Prepared]:
    """Every named graph as (IRI, N-Triples bytes, triple count), parsed and checked before sending."""
    import pyoxigraph as ox

    from .store import data_source

    source = data_source(graph_dir, ontology_dir)
    prepared = []
    for path, quads in source.parsed():  # one file at a time, errors as file:line like every command's
        name = source.graph_name(path)
        triples = list(dict.fromkeys(quad.triple for quad in quads))  # a triple written twice is sent once
        if not triples:
            # Replacing a graph with nothing is what a truncated file would do: refuse it.
            raise DataFileError(f"{path}: the file holds no triples; push sends none of the files "
                                f"(see: actorgraph validate)")
        prepared.append((name.value, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), len(triples)))
    names = [name for name, _, _ in prepared]
    if len(set(names)) != len(names):
        raise UsageError("two files map to the same named graph; rename one")
    return prepared


def check_url(url: str, option: str = "--store") -> None:
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{option} must be an http(s) URL, not {url!r}")


class GraphStore:
    """The remote store's write side: its Graph Store Protocol address and, optionally, its SPARQL Update
    endpoint, with HTTP Basic or Digest credentials when given (Virtuoso's write endpoints need them)."""

    def __init__(self, store_url: str, update_url: str | None = None, *, user: str | None = None,
                 password: str | None = None, timeout: float = 300.0):
        import urllib.request

        check_url(store_url)
        if update_url is not None:
            check_url(update_url, "--update")
        self.store_url, self.update_url, self.timeout = store_url, update_url, timeout
        handlers = []
        if user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (store_url, update_url):
                if url:
                    passwords.add_password(None, url, user, password or "")
            handlers = [urllib.request.HTTPDigestAuthHandler(passwords),
                        urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def _send(self, url: str, where: str, what: str, *, method: str = "GET", body: bytes | None = None,
              content_type: str | None = None, missing_ok: bool = False) -> int:
        """One request to ``url`` (``where`` names the endpoint in messages); its HTTP status (404 too,
        with ``missing_ok``), else an EndpointError."""
        import urllib.request

        from .remote import exchange

        headers = {"Content-Type": content_type} if content_type else {}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            return exchange(request, timeout=self.timeout, where=where, what=what, reach="the store",
                            opener=self._opener, read=False).status
        except HTTPStatusError as err:
            if missing_ok and err.status == 404:
                return 404
            if err.status in (401, 403):
                raise EndpointError(f"{err} (check --user and ${ENV_PASSWORD})") from None
            raise

    def put(self, graph: str, body: bytes) -> int:
        """Replace one named graph with N-Triples."""
        return self._send(graph_url(self.store_url, graph), self.store_url, f"PUT of graph <{graph}>", method="PUT",
                          body=body, content_type="application/n-triples")

    def holds(self, graph: str) -> bool:
        """Whether the store has the named graph (a GET whose body is not read: Virtuoso refuses HEAD)."""
        return self._send(graph_url(self.store_url, graph), self.store_url, f"GET of graph <{graph}>",
                          missing_ok=True) != 404

    def update(self, text: str, what: str) -> None:
        """Run one SPARQL Update request on the update endpoint."""
        body = urllib.parse.urlencode({"update": text}).encode()
        self._send(self.update_url, self.update_url, what, method="POST", body=body,
                   content_type="application/x-www-form-urlencoded")


def push(
    store_url: str,
    graph_dir: Path | None = None,
    ontology_dir: Path | None = None,
    *,
    update_url: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 300.0,
    progress: Progress | None = None,
) -> list[Pushed]:
    """Replace each named graph in the remote store with the local one (see the module docstring)."""
    store = GraphStore(store_url, update_url, user=user, password=password, timeout=timeout)
    return send(store, prepare(graph_dir, ontology_dir), progress=progress)


def send(store: GraphStore, prepared: list[Prepared], *, progress: Progress | None = None) -> list[Pushed]:
    """Send prepared graphs: staged and swapped when the store has an update endpoint, else one by one."""
    if store.update_url:
        return _stage_and_swap(store, prepared, progress)
    return _replace_each(store, prepared, progress)


def _counted(prepared: list[Prepared], progress: Progress | None) -> Callable[[int, str], None]:
    """A callback for "this many bytes more are sent" that reports the running total to ``progress``."""
    total = sum(len(body) for _, body, _ in prepared)
    done = 0

    def advance(size: int, label: str) -> None:
        nonlocal done
        done += size
        if progress:
            progress(done, total, label)

    return advance


def _replace_each(store: GraphStore, prepared: list[Prepared], progress: Progress | None) -> list[Pushed]:
    advance = _counted(prepared, progress)
    replaced: list[Pushed] = []
    for graph, body, count in prepared:
        try:
            store.put(graph, body)
        except (EndpointError, KeyboardInterrupt) as err:
            interrupted = isinstance(err, KeyboardInterrupt)
            # An interrupted PUT may have reached the store or not; a refused one did not.
            current = Pushed(graph, count, UNKNOWN if interrupted else NOT_REPLACED)
            rest = [Pushed(g, n, NOT_REPLACED) for g, _, n in prepared[len(replaced) + 1:]]
            results = [*replaced, current, *rest]
            cause = "interrupted" if interrupted else str(err)
            if not replaced and not interrupted:
                raise PushFailed(f"{cause}; nothing was replaced", results) from None
            raise PushFailed(f"{cause}; {_tally(results)}: the store may now mix old and new graphs (run push "
                             f"again; with --update the graphs are swapped in at once)", results,
                             interrupted) from None
        replaced.append(Pushed(graph, count, REPLACED))
        advance(len(body), graph)
    return replaced


def _tally(results: list[Pushed]) -> str:
    """``2 of 5 graphs replaced, 2 not, 1 unknown``."""
    counts = {state: sum(r.state == state for r in results) for state in (REPLACED, NOT_REPLACED, UNKNOWN)}
    text = f"{counts[REPLACED]} of {len(results)} graphs replaced, {counts[NOT_REPLACED]} not"
    return text + (f", {counts[UNKNOWN]} unknown" if counts[UNKNOWN] else "")


def _stage_and_swap(store: GraphStore, prepared: list[Prepared], progress: Progress | None) -> list[Pushed]:
    import secrets

    advance = _counted(prepared, progress)
    token = secrets.token_hex(8)
    staging = {graph: f"{STAGING_NS}{token}/{i}" for i, (graph, _, _) in enumerate(prepared)}
    staged: list[str] = []
    try:
        for graph, body, _ in prepared:
            store.put(staging[graph], body)
            staged.append(graph)
            advance(len(body), graph)
    except (EndpointError, KeyboardInterrupt) as err:
        interrupted = isinstance(err, KeyboardInterrupt)
        # An upload cut off (Ctrl-C, no answer in time) may still have reached the store: drop its
        # staging graph too. One the store refused did not.
        cut_off = interrupted or isinstance(err, EndpointTimeout)
        sent = [g for g, _, _ in prepared[: len(staged) + cut_off]]
        with _deferred_interrupt():
            left = _drop(store, [staging[g] for g in sent])
        results = [Pushed(g, n, NOT_REPLACED) for g, _, n in prepared]
        cause = "interrupted while uploading" if interrupted else str(err)
        raise PushFailed(f"{cause}; nothing was replaced{_left_note(left)}", results, interrupted) from None

    swap = " ;\n".join(f"MOVE <{staging[graph]}> TO <{graph}>" for graph, _, _ in prepared)
    advance(0, "swapping")
    with _deferred_interrupt() as interrupt:
        try:
            store.update(swap, f"the swap of {len(prepared)} staged graphs")
        except EndpointError as failure:
            results, left = _after_failed_swap(store, prepared, staging, failure)
            raise PushFailed(f"{failure}; {_tally(results)}{_left_note(left)}", results, interrupt.pressed) from None
    results = [Pushed(g, n, REPLACED) for g, _, n in prepared]
    if interrupt.pressed:
        raise PushFailed(f"interrupted during the swap, which had been sent and went through: {_tally(results)}",
                         results, True)
    return results


def _after_failed_swap(store: GraphStore, prepared: list[Prepared], staging: dict[str, str],
                       failure: EndpointError) -> tuple[list[Pushed], list[str]]:
    """Which graphs the failed swap replaced, asked of the store: a staging graph still there was not
    moved. After a time-out the store may still be applying the swap, so every state is unknown and
    the staging graphs are left alone."""
    if isinstance(failure, EndpointTimeout):
        return [Pushed(g, n, UNKNOWN) for g, _, n in prepared], list(staging.values())
    results, remaining = [], []
    for graph, _, count in prepared:
        try:
            still_staged = store.holds(staging[graph])
        except ActorgraphError:
            results.append(Pushed(graph, count, UNKNOWN))
            remaining.append(staging[graph])
            continue
        results.append(Pushed(graph, count, NOT_REPLACED if still_staged else REPLACED))
        if still_staged:
            remaining.append(staging[graph])
    return results, _drop(store, remaining)


def _drop(store: GraphStore, graphs: list[str]) -> list[str]:
    """Drop staging graphs, best effort, in one request; the ones that may be left in the store."""
    if not graphs:
        return []
    try:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), "dropping the staging graphs")
    except ActorgraphError:
        return graphs
    return []


def _left_note(left: list[str]) -> str:
    if not left:
        return ""
    return (f"; {len(left)} staging graph(s) may be left in the store, under <{STAGING_NS}> "
            f"(remove them with DROP GRAPH)")


class _Interrupt:
    pressed = False


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[_Interrupt]:
    """Hold Ctrl-C until the block ends (a request already sent cannot be taken back, and its outcome
    must be reported); ``.pressed`` says whether it came. Only the main thread receives signals."""
    interrupt = _Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield interrupt
        return

    def note(signum, frame):
        interrupt.pressed = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)
