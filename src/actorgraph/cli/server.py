"""Commands that put the graph on the network: serve (a read-only SPARQL endpoint) and push (to a
remote graph store)."""

from __future__ import annotations

import signal
import sys

import click

from ..push import ENV_PASSWORD
from . import cli, output_options, pass_ctx


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the graph to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0: any free port; the address is printed).")
@click.option("--timeout", default="10", show_default=True, metavar="SECONDS",
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-results", type=click.IntRange(1), default=10_000, show_default=True,
              help="Most rows (or triples) one answer may hold; a larger answer is refused (422).")
@click.option("--max-bytes", default="16M", show_default=True, metavar="SIZE",
              help="Largest answer in bytes (512K, 16M...); a larger answer is refused (422).")
@click.option("--max-memory", default=None, metavar="SIZE",
              help="Memory each worker may use; a query needing more stops its worker (500) "
                   "[default: half of this machine's memory, shared by the workers, at least 1G].")
@click.option("--workers", type=click.IntRange(0), default=0, show_default=True,
              help="Worker processes answering queries (0: one per CPU core).")
@click.option("--store", "store_mode", type=click.Choice(["auto", "memory", "disk"]), default="auto",
              show_default=True, help="Workers hold the graph in memory (fast), or share the on-disk store "
                                      "(big graphs); auto picks memory below 64 MB of Turtle.")
@click.option("--allow-host", "hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name (repeatable; loopback names always work; "
                   "* for any, which lets DNS rebinding through).")
@click.option("--cors", "origins", multiple=True, metavar="ORIGIN",
              help="Let web pages from this origin read answers (repeatable; * for any page). "
                   "Without it, only the server's own page can.")
@click.option("--allow-service", "services", multiple=True, metavar="URL",
              help="Let SERVICE call this endpoint (repeatable). Without it, SERVICE is refused.")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
@pass_ctx
def serve_command(ctx, host: str, port: int, timeout: str, max_results: int, max_bytes: str,
                  max_memory: str | None, workers: int, store_mode: str, hosts: tuple[str, ...],
                  origins: tuple[str, ...], services: tuple[str, ...], quiet: bool):
    """Serve the graph as a read-only SPARQL 1.1 endpoint, with a query page, on this machine only.

    GET or POST queries to /sparql; results as JSON, XML, CSV or TSV (SELECT, ASK) and Turtle,
    N-Triples, JSON-LD or RDF/XML (CONSTRUCT, DESCRIBE). The default graph is the union of one named
    graph per source document. Updates are refused. Limits and safety rules: docs/endpoint.md.

    Example:

    \b
        actorgraph serve --port 7878
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?name WHERE { ?a a ag:Person ; rdfs:label ?name }' http://127.0.0.1:7878/sparql
    """
    from ..errors import UsageError
    from ..limits import human, seconds, size
    from ..server import Server, Settings, is_loopback

    if ctx.endpoint:
        raise UsageError("serve publishes the local files; it cannot serve --endpoint")
    settings = Settings(host=host, port=port, timeout=seconds(timeout, "--timeout"), max_results=max_results,
                        max_bytes=size(max_bytes, "--max-bytes"),
                        max_memory=size(max_memory, "--max-memory") if max_memory else None,
                        workers=workers, store=store_mode, quiet=quiet, allowed_hosts=hosts,
                        cors_origins=origins, allowed_services=services)
    with Server(settings, ctx.source) as server:
        if not is_loopback(host):
            click.echo(f"actorgraph: warning: listening on {host}: the graph is open to the network", err=True)
        mode = "read-only, " + ("in memory" if server.in_memory else "on-disk store")
        click.echo(f"actorgraph: serving {server.url} (SPARQL endpoint {server.url}sparql); {mode}; "
                   f"time limit {settings.timeout:g} s; at most {max_results} results and "
                   f"{human(settings.max_bytes)} per answer; Ctrl-C stops", err=True)

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("actorgraph: stopped", err=True)


@cli.command("push")
@click.option("--store", "store_url", required=True, metavar="GSP_URL",
              help="The store's Graph Store Protocol address (Oxigraph: http://HOST:PORT/store; Virtuoso: "
                   "http://HOST:PORT/sparql-graph-crud-auth).")
@click.option("--update", "update_url", metavar="UPDATE_URL",
              help="The store's SPARQL Update endpoint (Oxigraph: http://HOST:PORT/update; Virtuoso: "
                   "http://HOST:PORT/sparql-auth): stage every graph, then swap them all in with one request.")
@click.option("--user", metavar="NAME",
              help=f"Log in as NAME (HTTP Digest or Basic); the password comes from ${ENV_PASSWORD}, or is "
                   f"asked for on a terminal.")
@click.option("--timeout", default="300", show_default=True, metavar="SECONDS", help="Seconds per request.")
@output_options
@pass_ctx
def push_command(ctx, store_url: str, update_url: str | None, user: str | None, timeout: str):
    """Load the graph into a remote store, one named graph per source document (safe to re-run).

    Each named graph is replaced whole, so running push again never duplicates. All files are parsed
    before anything is sent. With --update, the graphs are uploaded beside the old ones and swapped in
    by one request: on a store that applies a request atomically (Oxigraph) readers see the old graph
    or the new one, never a mix. Without it, or if the swap fails part-way, the table and the error say
    which graphs were replaced and which were not.

    Example:

        oxigraph serve --location /tmp/ag --union-default-graph &
        actorgraph push --store http://localhost:7878/store --update http://localhost:7878/update
        actorgraph --endpoint http://localhost:7878/query who-negotiated
    """
    import os

    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from ..errors import PushFailed, UsageError
    from ..limits import seconds
    from ..push import GraphStore, prepare, send

    limit = seconds(timeout, "--timeout")
    password = None
    if user is not None:
        password = os.environ.get(ENV_PASSWORD)
        if password is None:
            if not sys.stdin.isatty():
                raise UsageError(f"--user {user} needs a password: set ${ENV_PASSWORD}")
            password = click.prompt(f"password for {user}", hide_input=True, err=True)
    store = GraphStore(store_url, update_url, user=user, password=password, timeout=limit)
    prepared = prepare(ctx.source)  # every file parsed before anything is sent
    console = Console(file=sys.stderr)
    with Progress(TextColumn("pushing"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  TextColumn("{task.fields[graph]}"), console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        task = bar.add_task("push", total=sum(len(body) for _, body, _ in prepared), graph="")

        def advance(done: int, total: int, graph: str) -> None:
            bar.update(task, completed=done, graph=graph.rsplit("/", 1)[-1])

        try:
            pushed = send(store, prepared, progress=advance)
        except PushFailed as err:
            err.partial = _pushed_table(store_url, err.results, "stopped part-way")
            raise
    how = ("staged, then swapped in by one update request" if update_url
           else "each graph replaced whole, one after another")
    return _pushed_table(store_url, pushed, f"{sum(p.triples for p in pushed)} triples; {how}")


def _pushed_table(store_url: str, pushed, note: str):
    from ..output import Table

    rows = [{"graph": p.graph, "triples": p.triples, "status": p.state} for p in pushed]
    return Table(["graph", "triples", "status"], rows, title=f"Pushed to {store_url}",
                 notes=[f"{len(rows)} named graph(s), {note}"])
