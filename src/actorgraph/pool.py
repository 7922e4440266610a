"""The worker processes behind ``actorgraph serve``, and the fair-share scheduler that hands them out.

Each worker is a separate process holding the graph in an Oxigraph store. A query past its time limit
costs its worker's life: the process is killed (the only way to stop a query Oxigraph will not
interrupt) and a fresh one takes its place, while queries in other workers carry on. Each worker also
runs under a memory limit, so a query that would take the machine's memory kills only its worker.

One thread per worker talks to its process over a pipe; everything else runs on the server's event
loop. The scheduler decides who gets the next free worker, so that clients share the server:

- each client (a source address) waits in its own queue; a free worker goes to the client with the
  fewest queries running, then the least worker time used recently (decaying with a 30 s half-life),
  then the one waiting longest. A client sending many or slow queries yields to the others.
- clients sending slow queries (one ran past ``grace``, 1 s, in the last 30 s) share at most all the
  workers but one: the last one is kept for the others, even if it stays idle.
- a client cannot hold every worker before it is known to be slow either: when every worker is busy
  with a query older than ``grace`` and a client with nothing running is waiting, the query of the
  client that has used the most recent worker time is stopped (``503``, "to give other clients their
  share"), and its worker goes to the waiting client once replaced.

A "client" is an address. Behind a proxy every request comes from the proxy, and a local program can
use any 127.x.y.z address: the fair share keeps heavy but honest clients from starving the others,
not a local attacker who opens many addresses (docs/endpoint.md).
"""

from __future__ import annotations

import asyncio
import collections
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ActorgraphError

FAIR_SHARE_GRACE = 1.0  # seconds a query always gets before the fair share may stop it
USAGE_HALF_LIFE = 30.0  # seconds over which a client's recent worker time halves
HEAVY_FOR = 30.0  # seconds a client counts as sending slow queries after its last one


@dataclass
class Reply:
    """One HTTP answer, as a worker or the front builds it."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] | None = None


def error_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """A one-line plain-text error, the way every error leaves the server."""
    return Reply(status, "text/plain; charset=utf-8", (" ".join(message.split()) + "\n").encode(), headers)


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    pass


class WorkerCrashed(Exception):
    pass


class Preempted(Exception):
    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


# -- the work one query does, inside a worker process ----------------------------------------------------


def _term_json(term) -> dict[str, Any]:
    """One term in the SPARQL 1.1 JSON results shape."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                        "predicate": _term_json(term.predicate),
                                        "object": _term_json(term.object)}}


class TooLarge(Exception):
    def __init__(self, limit: int, what: str):
        super().__init__(limit, what)
        self.limit, self.what = limit, what


def dataset_options(default_graphs: list[str], named_graphs: list[str], query_dataset: bool) -> dict[str, Any]:
    """Oxigraph's dataset arguments for one query, in the SPARQL 1.1 Protocol's order of precedence:
    the request's graphs (``default-graph-uri``/``named-graph-uri``) replace the query's own; the
    query's FROM/FROM NAMED come next; else the default graph is the union of the named graphs.
    (``use_default_graph_as_union`` would silently drop a FROM, so it is only used when there is none.)
    """
    import pyoxigraph as ox

    if default_graphs or named_graphs:
        # Only the graphs the request names: named-graph-uri alone gives an empty default graph.
        return {"default_graph": [ox.NamedNode(g) for g in default_graphs],
                "named_graphs": [ox.NamedNode(g) for g in named_graphs]}
    return {} if query_dataset else {"use_default_graph_as_union": True}


def answer_query(store, text: str, accept: str | None, default_graphs: list[str], named_graphs: list[str],
                 query_dataset: bool, base: str | None, max_results: int, max_bytes: int) -> Reply:
    """Run one query on an open pyoxigraph store and serialise it in the negotiated format, refusing
    answers over ``max_results`` rows or triples, or over ``max_bytes`` bytes, rather than cutting them."""
    import pyoxigraph as ox

    from .server import GRAPH_TYPES, RESULT_TYPES, content_type, negotiate
    from .store import PREFIXES

    try:
        result = store.query(text, prefixes=PREFIXES, base_iri=base,
                             **dataset_options(default_graphs, named_graphs, query_dataset))
    except SyntaxError as err:
        return error_reply(400, f"bad SPARQL: {err}")
    except ValueError as err:
        return error_reply(400, f"bad request: {err}")

    graph_result = not isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
    offers = GRAPH_TYPES if graph_result else RESULT_TYPES
    chosen = negotiate(accept, offers)
    if chosen is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in offers))
        return error_reply(406, f"cannot answer in {accept!r}; this query's result is available as: {offered}")
    media, fmt = chosen
    try:
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=getattr(ox.QueryResultsFormat, fmt))
        elif isinstance(result, ox.QuerySolutions):
            body = _solutions(result, fmt, max_results, max_bytes)
        else:
            body = _triples(result, fmt, max_results, max_bytes)
        if len(body) > max_bytes:
            raise TooLarge(max_bytes, "bytes")
    except TooLarge as err:
        flag = "--max-bytes" if err.what == "bytes" else "--max-results"
        return error_reply(422, f"result refused: more than {err.limit} {err.what} (the server's result-size "
                                f"limit, actorgraph serve {flag}); add LIMIT or narrow the query")
    except OSError as err:
        return error_reply(500, f"query failed: {err}")
    return Reply(200, content_type(media), body)


def _solutions(result, fmt: str, max_results: int, max_bytes: int) -> bytes:
    """SELECT rows as SPARQL JSON, counted row by row, then converted by Oxigraph's own writers."""
    import pyoxigraph as ox

    variables = [v.value for v in result.variables]
    head = json.dumps({"head": {"vars": variables}, "results": {"bindings": []}}, separators=(",", ":"))
    parts, size = [], len(head)
    for count, row in enumerate(result, 1):
        if count > max_results:
            raise TooLarge(max_results, "rows")
        part = json.dumps({v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None},
                          ensure_ascii=False, separators=(",", ":"))
        size += len(part) + 1
        if size > max_bytes:  # counted in characters: never more than the bytes
            raise TooLarge(max_bytes, "bytes")
        parts.append(part)
    body = (head[:-3] + ",".join(parts) + "]}}").encode()
    if fmt != "JSON":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt))
    return body


def _triples(result, fmt: str, max_results: int, max_bytes: int) -> bytes:
    import pyoxigraph as ox

    from .store import PREFIXES

    triples, size = [], 0
    for count, triple in enumerate(result, 1):
        if count > max_results:
            raise TooLarge(max_results, "triples")
        size += len(str(triple)) + 3  # its N-Triples length
        if size > max_bytes:
            raise TooLarge(max_bytes, "bytes")
        triples.append(triple)
    return ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes=PREFIXES)


def open_source(source):
    """The worker's store: a snapshot of (graph, Turtle bytes) parsed into memory, or the compiled
    on-disk store opened read-only. The one place that turns what the front read into a store."""
    import pyoxigraph as ox

    if isinstance(source, list):
        store = ox.Store()
        for graph, data in source:
            store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
        return store
    return ox.Store.read_only(source)


def worker_main(conn, source, memory: int | None) -> None:
    """A worker process: limit its memory, open the store, then answer jobs until the pipe closes.

    Every worker parses the same snapshot, read once by the front, so all of them hold the same graph
    even if a file changes while the server runs. Oxigraph's in-memory store answered our named
    queries 6 to 9 times faster than its on-disk one (see benchmarks/README.md).
    """
    from .limits import limit_memory

    if memory:
        limit_memory(memory)
    try:
        store = open_source(source)
    except (OSError, SyntaxError, MemoryError) as err:
        conn.send(("failed", f"{type(err).__name__}: {err}" if isinstance(err, MemoryError) else str(err)))
        return
    conn.send(("ready", None))
    while True:
        try:
            payload = conn.recv()
        except (EOFError, OSError):
            return  # the front has gone: nothing left to serve
        try:
            reply = answer_query(store, **payload)
        except MemoryError:
            reply = error_reply(500, "query stopped: it needed more memory than the worker's limit "
                                     "(actorgraph serve --max-memory)")
        except Exception as err:  # noqa: BLE001 - a worker must answer, never die silently
            reply = error_reply(500, f"internal error: {type(err).__name__}: {err}")
        conn.send(reply)


# -- one worker process and the thread that talks to it ---------------------------------------------------


class Slot:
    """A worker process, kept alive by a thread: started, given jobs, restarted when it dies or is killed."""

    def __init__(self, pool: Pool, index: int):
        self.pool = pool
        self.index = index
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.process = None
        self.conn = None
        self.killed: str | None = None  # why we killed it, when we did
        self.current: asyncio.Future | None = None  # the reply of the job it runs
        self.started = threading.Event()  # set once the first start succeeded or failed
        self.error: str | None = None
        self.thread = threading.Thread(target=self._life, name=f"actorgraph-worker-{index}", daemon=True)
        self.thread.start()

    def _spawn(self) -> bool:
        context = self.pool.context
        self.conn, child = context.Pipe()
        self.killed = None
        self.process = context.Process(target=worker_main, args=(child, self.pool.source, self.pool.memory),
                                       daemon=True)
        self.process.start()
        child.close()
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", f"the worker process exited with {self.process.exitcode}"
        if status != "ready":
            self.error = detail
            self._reap()
            return False
        return True

    def _reap(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
        if self.conn is not None:
            self.conn.close()

    def _life(self) -> None:
        first = True
        while not self.pool.closed:
            ok = self._spawn()
            if first:
                first = False
                self.started.set()
            if not ok:
                if self.pool.closed or not self.pool.running:
                    return
                time.sleep(1.0)  # the store failed to open mid-run (memory?): try again, not in a busy loop
                continue
            self.pool.notify(self.pool.scheduler.ready, self)
            while True:
                job = self.jobs.get()
                if job is None:
                    self._reap()
                    return
                payload, future = job
                self.current = future
                try:
                    self.conn.send(payload)
                    outcome: Any = self.conn.recv()
                except (EOFError, OSError):
                    outcome = WorkerCrashed() if self.killed is None else None  # if killed, already answered
                self.current = None
                self.pool.notify(_settle, future, outcome)
                if not isinstance(outcome, Reply) or self.killed is not None:
                    self._reap()
                    break  # dead or killed (perhaps just as it answered): start a fresh one

    def kill(self, reason: str, reply: asyncio.Future | None = None) -> bool:
        """Stop the job whose answer is ``reply`` (any job when None), from the event loop; the thread
        then starts a fresh process. A job that has already answered is left alone (returns False)."""
        if reply is not None and self.current is not reply:
            return False
        self.killed = reason
        if self.process is not None:
            self.process.kill()
        return True


def _settle(future: asyncio.Future, outcome) -> None:
    if future.done() or outcome is None:
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


# -- the fair-share scheduler, on the event loop ------------------------------------------------------------


@dataclass
class Waiter:
    client: str
    since: float
    future: asyncio.Future


@dataclass
class Running:
    client: str
    started: float
    reply: asyncio.Future


@dataclass
class Scheduler:
    grace: float = FAIR_SHARE_GRACE
    half_life: float = USAGE_HALF_LIFE
    idle: list[Slot] = field(default_factory=list)
    waiting: dict[str, collections.deque[Waiter]] = field(default_factory=dict)
    running: dict[Slot, Running] = field(default_factory=dict)
    usage: dict[str, tuple[float, float]] = field(default_factory=dict)  # client -> (seconds, as of)
    restarting: set[Slot] = field(default_factory=set)  # killed workers not yet replaced
    slow_at: dict[str, float] = field(default_factory=dict)  # client -> when its last slow query ended
    _timer: asyncio.TimerHandle | None = None

    # -- bookkeeping

    def used(self, client: str, now: float) -> float:
        """The client's recent worker time: finished queries decaying, running ones counted as they run."""
        seconds, at = self.usage.get(client, (0.0, now))
        decayed = seconds * 0.5 ** ((now - at) / self.half_life)
        return decayed + sum(now - r.started for r in self.running.values() if r.client == client)

    def holding(self, client: str) -> int:
        return sum(1 for r in self.running.values() if r.client == client)

    def slow(self, client: str, now: float) -> bool:
        """Whether the client sends slow queries: one is running past ``grace``, or one ended lately."""
        return now - self.slow_at.get(client, -HEAVY_FOR) < HEAVY_FOR or any(
            r.client == client and now - r.started >= self.grace for r in self.running.values())

    def _slow_may_start(self, now: float) -> bool:
        """Slow clients may hold every worker but one (all of them when there is only one)."""
        size = len(self.idle) + len(self.running) + len(self.restarting)
        held = sum(1 for r in self.running.values() if self.slow(r.client, now))
        return held < max(1, size - 1)

    def _charge(self, client: str, seconds: float, now: float) -> None:
        previous, at = self.usage.get(client, (0.0, now))
        self.usage[client] = (previous * 0.5 ** ((now - at) / self.half_life) + seconds, now)
        if len(self.usage) > 4096:  # forget clients whose usage has decayed to nothing
            for name, (value, when) in list(self.usage.items()):
                if value * 0.5 ** ((now - when) / self.half_life) < 0.001:
                    del self.usage[name]
            for name, when in list(self.slow_at.items()):
                if now - when >= HEAVY_FOR:
                    del self.slow_at[name]

    # -- the queue

    def _next_client(self, now: float, starting: bool = True) -> str | None:
        """The client whose query should start next (with ``starting``, one allowed to start now)."""
        best, best_key = None, None
        slow_may_start = not starting or self._slow_may_start(now)
        for client, line in self.waiting.items():
            while line and line[0].future.done():  # given up (timed out, disconnected)
                line.popleft()
            if not line or (not slow_may_start and self.slow(client, now)):
                continue
            key = (self.holding(client), self.used(client, now), line[0].since)
            if best_key is None or key < best_key:
                best, best_key = client, key
        return best

    def dispatch(self) -> None:
        now = time.monotonic()
        while self.idle:
            client = self._next_client(now)
            if client is None:
                break
            waiter = self.waiting[client].popleft()
            slot = self.idle.pop()
            self.running[slot] = Running(client, now, waiter.future)  # run() puts the reply's future here
            waiter.future.set_result(slot)
        for client in [c for c, line in self.waiting.items() if not line]:
            del self.waiting[client]
        self._arm()

    def ready(self, slot: Slot) -> None:
        """A worker (new or restarted) is free."""
        self.running.pop(slot, None)
        self.restarting.discard(slot)
        self.idle.append(slot)
        self.dispatch()

    async def acquire(self, client: str, timeout: float) -> Slot:
        loop = asyncio.get_running_loop()
        waiter = Waiter(client, time.monotonic(), loop.create_future())
        self.waiting.setdefault(client, collections.deque()).append(waiter)
        self.dispatch()
        try:
            return await asyncio.wait_for(waiter.future, timeout)
        except TimeoutError:
            raise Busy from None
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():  # given a worker as it gave up
                self.running.pop(waiter.future.result(), None)
                self.idle.append(waiter.future.result())
            raise
        finally:
            self.dispatch()  # drop the waiter if it gave up, hand on a worker it did not take

    def release(self, slot: Slot, client: str, started: float, alive: bool) -> None:
        now = time.monotonic()
        self._charge(client, now - started, now)
        if not alive or now - started >= self.grace:
            self.slow_at[client] = now
        self.running.pop(slot, None)
        if alive:
            self.idle.append(slot)
        elif slot not in self.idle:
            self.restarting.add(slot)  # it comes back through ready() once its process is replaced
        self.dispatch()

    # -- the fair share

    def _arm(self, not_before: float = 0.0) -> None:
        """Look again when the youngest running query passes its grace, if someone is waiting then."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.waiting or self.idle or self.restarting or not self.running:
            return
        due = max(not_before, max(r.started for r in self.running.values()) + self.grace)
        loop = asyncio.get_running_loop()
        self._timer = loop.call_at(loop.time() + max(0.0, due - time.monotonic()), self._share)

    def _share(self) -> None:
        """Every worker runs a query older than ``grace`` and a client with nothing running waits: stop
        the query of the heaviest client that has used more worker time than the one waiting."""
        self._timer = None
        now = time.monotonic()
        client = self._next_client(now, starting=False)
        if client is None or self.idle or self.restarting or self.holding(client):
            return  # a worker is free or on its way, or the waiting client already has one
        if any(now - r.started < self.grace for r in self.running.values()):
            self._arm()
            return
        mine = self.used(client, now)
        victims = [(self.holding(r.client), self.used(r.client, now), r.started, slot)
                   for slot, r in self.running.items() if r.client != client and self.used(r.client, now) > mine]
        if not victims:
            self._arm(now + self.grace)
            return
        *_, slot = max(victims, key=lambda v: v[:3])
        running = self.running[slot]
        if slot.kill("fair share", running.reply):
            del self.running[slot]
            self.restarting.add(slot)
            _settle(running.reply, Preempted(now - running.started))


class Pool:
    """The workers and their scheduler: ``await pool.run(client, payload, timeout)`` answers one query."""

    def __init__(self, source: Path | list[tuple[str, bytes]], size: int, memory: int | None,
                 loop: asyncio.AbstractEventLoop):
        import multiprocessing

        self.context = multiprocessing.get_context("spawn")
        self.source = str(source) if isinstance(source, Path) else source
        self.memory = memory
        self.loop = loop
        self.scheduler = Scheduler()
        self.closed = False
        self.running = False  # true once every worker has started
        self.slots = [Slot(self, i) for i in range(size)]
        for slot in self.slots:
            slot.started.wait()
        failed = [slot.error for slot in self.slots if slot.error]
        if failed:
            self.close()
            raise ActorgraphError(f"cannot open the store: {failed[0]}")
        self.running = True

    def notify(self, callback, *args) -> None:
        """Run ``callback`` on the event loop, from a worker's thread."""
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            pass  # the loop has closed: the server is stopping

    async def run(self, client: str, payload: dict, timeout: float) -> Reply:
        """Answer one query. Waiting for a worker and running the query are each bounded by ``timeout``;
        only the run counts toward the time limit, so a queue never kills a worker."""
        slot = await self.scheduler.acquire(client, timeout)
        reply: asyncio.Future = self.loop.create_future()
        started = time.monotonic()
        self.scheduler.running[slot].reply = reply
        self.scheduler.running[slot].started = started
        alive = False
        try:
            slot.jobs.put((payload, reply))
            try:
                answer = await asyncio.wait_for(asyncio.shield(reply), timeout)
            except TimeoutError:
                alive = not slot.kill("time limit", reply)  # it may have answered at the last moment
                raise QueryTimeout from None
            alive = True
            return answer
        except asyncio.CancelledError:
            alive = not slot.kill("client gone", reply)  # nobody waits for the answer: free the worker
            raise
        finally:
            self.scheduler.release(slot, client, started, alive)

    def close(self) -> None:
        self.closed = True
        for slot in self.slots:
            slot.jobs.put(None)
            slot.kill("closing")
        for slot in self.slots:
            slot.thread.join(5)
