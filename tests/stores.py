"""A second, independent SPARQL store for the tests: Virtuoso Open Source (Debian's
``virtuoso-opensource``), with a new database in a temporary directory, on free loopback ports."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from servers import free_port, running

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {dir}
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
ThreadsPerQuery = 1

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""

# A new Virtuoso database has one administrator account, dba with the password dba; it listens on
# loopback only, in a temporary directory, for as long as the tests run.
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"


@contextlib.contextmanager
def virtuoso_serve(directory: Path, max_rows: int = 10_000) -> Iterator[str]:
    """Virtuoso with a new database in ``directory``; yields its base URL. Queries go to ``/sparql``,
    Graph Store writes to ``/sparql-graph-crud-auth`` and updates to ``/sparql-auth``, both with Digest
    authentication.

    It is started twice: Virtuoso 7.2 answers property paths wrongly on a database it has just created,
    until it is restarted (openlink/virtuoso-opensource#929), as docs/stores.md tells its users."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource")
    http_port, sql_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    base = f"http://127.0.0.1:{http_port}/"
    command = [exe, "+foreground", "+configfile", str(ini)]
    with running(command, base + "sparql"):
        pass  # creates the database
    with running(command, base + "sparql"):
        yield base


class FlakyFront:
    """An HTTP front that passes requests on to a real store and breaks the ones it is told to, the way a
    store that fails part-way, or a push interrupted part-way, would: the data lives in the real store
    behind it, and every request that goes through is the real thing.

    ``fail_put``: the Nth PUT (1-based) gets a 500 and is not passed on. ``hold_put``: the Nth PUT waits
    until ``release`` is set (``holding`` is set while it waits), then goes through. ``swap``: what
    happens to an update holding MOVE operations: "fail" (500, nothing passed on), "partial" (only the
    first ``partial_moves`` operations are passed on, then 500, as a store that applies a request
    operation by operation and stops at an error), or "hold" (wait for ``release``, then pass it on).
    """

    def __init__(self, target: str):
        import threading

        self.target = target.rstrip("/")
        self.fail_put: int | None = None
        self.hold_put: int | None = None
        self.swap: str | None = None
        self.partial_moves = 2
        self.puts = 0
        self.holding, self.release = threading.Event(), threading.Event()
        self.requests: list[tuple[str, str]] = []

    def _forward(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.target + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def handle(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        import urllib.parse

        self.requests.append((method, path))
        if method == "PUT":
            self.puts += 1
            if self.puts == self.fail_put:
                return 500, b"injected failure: the store broke on this upload"
            if self.puts == self.hold_put:
                self.holding.set()
                self.release.wait(60)
        if method == "POST" and body and b"update=" in body:
            update = urllib.parse.parse_qs(body.decode())["update"][0]
            if "MOVE" in update and self.swap:
                if self.swap == "fail":
                    return 500, b"injected failure: the swap was refused"
                if self.swap == "partial":
                    first = " ;\n".join(update.split(" ;\n")[: self.partial_moves])
                    self._forward(method, path, urllib.parse.urlencode({"update": first}).encode(), headers)
                    return 500, b"injected failure: the store stopped after some operations"
                if self.swap == "hold":
                    self.holding.set()
                    self.release.wait(60)
        return self._forward(method, path, body, headers)

    def __enter__(self) -> str:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        front = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                status, payload = front.handle(self.command, self.path, body, headers)
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = _any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
