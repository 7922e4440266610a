"""Commands that answer questions from the graph: actors, show, search, who-negotiated, sanctions,
timeline, figures, claims, between, query and sparql."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..output import RDF_FORMATS, RESULT_FORMATS, SPARQL_FORMATS
from ..store import PREFIXES
from . import Context, answer_options, cli, pass_ctx

_PAGE_LIMIT = click.option(
    "--limit", type=click.IntRange(min=1), metavar="N",
    help="One page: N statements, each with all its rows (a statement can have several), in the order of the "
         "listing; a note gives the --cursor of the next page. Fast at any size.")
_CURSOR = click.option("--cursor", metavar="CURSOR",
                       help="The next page: the cursor that the previous page's note gave (with --limit N, "
                            "N statements; else 100).")


@cli.command()
@click.option("--type", "type_", metavar="T", help="Only entities of this type (person, organization, country, ...).")
@answer_options
@pass_ctx
def actors(ctx: Context, type_: str | None):
    """Every actor with its type and aliases.

    \b
    Example:
      actorgraph actors
      actorgraph actors --type person --format json
    """
    from ..questions import actors as answer

    return answer(ctx.kg, type_)


@cli.command()
@click.argument("name")
@answer_options
@pass_ctx
def show(ctx: Context, name: str):
    """One actor's profile: types, aliases, roles, and every relationship with its evidence.

    \b
    Example:
      actorgraph show "Osiris Luna Meza"
      actorgraph show crook --format json
    """
    from ..questions import profile

    return profile(ctx.kg, name)


@cli.command()
@click.argument("text")
@click.option("--limit", default=10, show_default=True, help="At most this many matches.")
@answer_options
@pass_ctx
def search(ctx: Context, text: str, limit: int):
    """Find names and aliases, ignoring case and accents, fuzzy, with scores.

    \b
    Example:
      actorgraph search "elmer canales"
      actorgraph search bukel
    """
    from ..questions import search as answer

    return answer(ctx.kg, text, limit)


@cli.command("who-negotiated")
@answer_options
@pass_ctx
def who_negotiated(ctx: Context):
    """Everyone tied to the negotiations between the Bukele government and MS-13, both sides.

    \b
    Example:
      actorgraph who-negotiated
      actorgraph who-negotiated --format json
    """
    from ..questions import who_negotiated as answer

    return answer(ctx.kg)


@cli.command()
@click.argument("name", required=False)
@answer_options
@pass_ctx
def sanctions(ctx: Context, name: str | None):
    """Sanction listings, with programme, authority, date, reason and evidence.

    \b
    Example:
      actorgraph sanctions
      actorgraph sanctions "Osiris Luna Meza"
    """
    from ..questions import sanctions as answer

    return answer(ctx.kg, name)


@cli.command()
@click.option("--actor", metavar="NAME", help="Only statements about this actor.")
@click.option("--from", "from_", metavar="DATE", help="From this date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", metavar="DATE", help="Up to this date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="One page: the dates of N statements (a statement can have several dates), and every "
                   "statement of the page's last date; a note gives the --cursor of the next page.")
@_CURSOR
@answer_options
@pass_ctx
def timeline(ctx: Context, actor: str | None, from_: str | None, to: str | None, limit: int | None,
             cursor: str | None):
    """Dated events and claims in order; each date shows its precision.

    A date is kept when any part of it falls in the range: "2021-07" (a month) is kept by --from 2021-07-15.

    \b
    Example:
      actorgraph timeline
      actorgraph timeline --actor crook --from 2021 --to 2023-12
      actorgraph timeline --limit 50
    """
    from ..questions import timeline as answer

    if actor is None and limit is None and cursor is None:
        ctx.reads = "all"  # every dated statement: see store.LocalStore.open
    return answer(ctx.kg, actor, from_, to, limit=limit, cursor=cursor)


@cli.command()
@click.option("--about", metavar="NAME", help="Only figures that describe this entity.")
@answer_options
@pass_ctx
def figures(ctx: Context, about: str | None):
    """Every figure with value, unit, date and source; says where sources disagree.

    \b
    Example:
      actorgraph figures
      actorgraph figures --about "Salvadoran prison system"
      actorgraph figures --format csv
    """
    from ..questions import figures as answer

    return answer(ctx.kg, about)


@cli.command()
@click.option("--by", metavar="NAME", help="Only what this party asserts.")
@click.option("--source", metavar="DOC", help="Only what this source document says (title or file name).")
@_PAGE_LIMIT
@_CURSOR
@answer_options
@pass_ctx
def claims(ctx: Context, by: str | None, source: str | None, limit: int | None, cursor: str | None):
    """What one party asserts, or what one document says.

    Without --limit, every claim, by party and claim; with it, one page in the order of the statements.

    \b
    Example:
      actorgraph claims --by "Marco Rubio"
      actorgraph claims --source el-salvador-offers-to-jail-us-deportees.txt
      actorgraph claims --by "Marco Rubio" --limit 5
    """
    from ..questions import claims as answer

    return answer(ctx.kg, by, source, limit=limit, cursor=cursor)


@cli.command()
@click.argument("a")
@click.argument("b")
@answer_options
@pass_ctx
def between(ctx: Context, a: str, b: str):
    """Every relationship, shared event and short path linking two actors, with evidence.

    \b
    Example:
      actorgraph between "Osiris Luna Meza" "MS-13"
      actorgraph between bukele crook --format json
    """
    from ..questions import between as answer

    return answer(ctx.kg, a, b)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    from ..errors import UsageError

    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"bad --param {pair!r}: expected key=value")
        params[key] = value
    return params


@cli.command()
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the named queries.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A parameter value.")
@click.option("--show-text", is_flag=True, help="Print the query's SPARQL instead of running it.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="One page, in the query's order: N rows; for the listings statements, timeline and quotes, "
                   "N statements, each with all its rows (a statement can have several), and a note with the "
                   "--cursor of the next page.")
@click.option("--offset", type=click.IntRange(min=0), default=0, metavar="N",
              help="Skip the first N rows (not for the listings, which page by --cursor).")
@_CURSOR
@answer_options
@pass_ctx
def query(ctx: Context, name: str | None, list_: bool, params: tuple[str, ...], show_text: bool,
          limit: int | None, offset: int, cursor: str | None):
    """Run a named query (a .rq file with a title, a description and typed parameters).

    \b
    Example:
      actorgraph query --list
      actorgraph query sanctions --param person="Osiris Luna Meza"
      actorgraph query statements -p by=Rubio --format json
      actorgraph query statements --limit 20
      actorgraph query actors --limit 20 --offset 40
    """
    from ..errors import UsageError
    from ..questions import named_query_list, named_query_table

    if list_ or not name:
        if not list_:
            raise UsageError("give a query name, or --list to see them")
        return named_query_list()
    bound = _parse_params(params)
    if not bound and limit is None and cursor is None and not show_text:
        from ..queries import get_query

        if get_query(name).listing:
            ctx.reads = "all"  # a whole listing reads every statement: see store.LocalStore.open
    return named_query_table(ctx.kg, name, bound, show_text=show_text, limit=limit, offset=offset, cursor=cursor)


def _names_a_file(argument: str) -> bool:
    """Whether the QUERY argument is a file: a short name ending in .rq or .sparql (missing files are
    then reported as such), or an existing file whose name is not query text."""
    if len(argument) >= 4096:
        return False
    query_file_name = "\n" not in argument and Path(argument).suffix in (".rq", ".sparql")
    return query_file_name or ("{" not in argument and Path(argument).is_file())


def _with_prefixes(func):
    """The command's help with the predeclared prefixes filled in from the one list of them."""
    names = [f"{name}:" for name in PREFIXES]
    func.__doc__ = func.__doc__.replace("{prefixes}", f"{', '.join(names[:-1])} and {names[-1]}")
    return func


@cli.command()
@click.argument("query_text", metavar="QUERY|FILE|-")
@click.option("--format", "fmt", type=click.Choice(SPARQL_FORMATS), default=None,
              help=f"SELECT/ASK: {', '.join(RESULT_FORMATS)} (the first is the default). "
                   f"CONSTRUCT/DESCRIBE: {', '.join(RDF_FORMATS)} (the first is the default).")
@click.option("--timeout", default="120", show_default=True, metavar="SECONDS",
              help="Stop the query after this many seconds.")
@click.option("--max-memory", default=None, metavar="SIZE",
              help="Stop the query when it needs more memory than this (512M, 8G) [default: half of this "
                   "machine's memory].")
@click.option("--allow-service", "services", multiple=True, metavar="URL",
              help="Let SERVICE call this endpoint (repeatable). Without it, SERVICE is refused: no query "
                   "sends a request to another server.")
@pass_ctx
@_with_prefixes
def sparql(ctx: Context, query_text: str, fmt: str | None, timeout: str, max_memory: str | None,
           services: tuple[str, ...]):
    """Run any SELECT, ASK, CONSTRUCT or DESCRIBE query. Read-only: updates are refused.

    The prefixes {prefixes} are predeclared (ag: is the ontology, agid: its entities and statements).
    The query stops after --timeout seconds, on Ctrl-C, or when it needs more than --max-memory.

    \b
    Example:
      actorgraph sparql 'SELECT ?name WHERE { ?p a ag:Person ; rdfs:label ?name }'
      actorgraph sparql query.rq --format json --timeout 600
      echo 'ASK { agid:nayib-bukele ag:offered ?o }' | actorgraph sparql -
    """
    from .. import limits
    from ..errors import DataFileError
    from ..files import decode_text
    from ..guard import check_allowed_service
    from ..output import render_sparql
    from . import echo_result

    seconds = limits.seconds(timeout, "--timeout")
    memory = limits.size(max_memory, "--max-memory") if max_memory else limits.physical_memory() // 2
    allowed = frozenset(check_allowed_service(url) for url in services)
    if query_text == "-":
        text = decode_text(sys.stdin.buffer.read(), "standard input")
    elif _names_a_file(query_text):
        try:
            text = decode_text(Path(query_text).read_bytes(), query_text)
        except OSError as err:
            raise DataFileError(f"{query_text}: {err.strerror}") from None
    else:
        text = query_text

    def answer() -> str:  # in a child process: see actorgraph.limits
        store = ctx.kg.store
        if allowed:
            store.allowed_services = allowed
        return render_sparql(store.run(text), fmt)

    echo_result(limits.run_limited(answer, timeout=seconds, memory=memory, what="actorgraph sparql"))
