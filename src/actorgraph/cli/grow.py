"""Commands that grow the graph: add-source (store a new text) and add (compile a reviewed sheet)."""

from __future__ import annotations

from pathlib import Path

import click

from . import Context, cli, output_options, pass_ctx


def _shown(path: Path) -> str:
    """A path as people should see it: relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@cli.command("add-source")
@click.argument("text_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", required=True, help="The document's title (the headline, or a description of it).")
@click.option("--published", metavar="DATE", help="Publication date: YYYY, YYYY-MM or YYYY-MM-DD "
                                                  "(the form is its precision). Unknown when left out.")
@click.option("--published-basis", metavar="TEXT",
              help="How the publication date was worked out, when the document does not give it: marks "
                   "the date inferred.")
@click.option("--outlet", help="The outlet that published it (an existing entity's name, or a new outlet). "
                               "Unknown when left out.")
@click.option("--author", help="Its author (an existing entity's name, or a new person). Unknown when left out.")
@click.option("--url", help="Where it was published (http or https). Unknown when left out.")
@click.option("--language", metavar="TAG", help="Its language, as a tag such as en or es. Unknown when left out.")
@click.option("--name", help="The source's name: its text becomes graph/sources/NAME.txt, its document "
                             "agid:doc-NAME and its statements graph/NAME.ttl [default: from the file name].")
@output_options
@pass_ctx
def add_source_command(ctx: Context, text_file: Path, title: str, published: str | None,
                       published_basis: str | None, outlet: str | None, author: str | None, url: str | None,
                       language: str | None, name: str | None):
    """Store a new source text in the graph and write its document node.

    Copies the text, byte for byte, to graph/sources/NAME.txt and adds to graph/sources.ttl its
    document node (title, SHA-256, publication date with its precision, and what is unknown: outlet,
    author, URL, language) and its own reporting party, which a review sheet calls `reporting`. It
    refuses a text that is already stored (same SHA-256) and a name that is taken, and writes nothing
    unless everything checks.

    \b
    Example:
      actorgraph add-source flights.txt --title "Deportation flights land in El Salvador" \\
          --published 2025-03-17 --language en
      actorgraph draft flights
    """
    from ..output import Document
    from ..sources import add_source

    added = add_source(text_file, title=title, published=published, published_basis=published_basis,
                       outlet=outlet, author=author, url=url, language=language, name=name,
                       graph_dir=ctx.source)
    fields = {
        "document": f"agid:doc-{added.name}",
        "text": _shown(added.text_file),
        "sha256": added.sha256,
        "characters": added.characters,
        "reporting": f"agid:doc-{added.name}-reporting",
        "unknown": added.unknown,
        "written": _shown(added.sources_file),
    }
    if added.new_entities:
        fields["new entities"] = [f"agid:{iri.rsplit('/', 1)[-1]}" for iri in added.new_entities]
    return Document(title=f"added source {added.name}", fields=fields, sections={})


@cli.command("add")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--check", is_flag=True, help="Check the sheet against the graph and write nothing.")
@output_options
@pass_ctx
def add_command(ctx: Context, sheet: Path, check: bool):
    """Compile the accepted claims of a review sheet into the graph.

    Writes graph/NAME.ttl (each accepted claim as its direct triple and its statement node with the
    quote, source, asserting party, status and dates; each accepted figure) and the sheet's new
    entities to their own block of graph/actors.ttl. Everything is checked first (each problem is one
    line with sheet:line) and nothing is written unless all of it holds and the graph still validates.
    Running it again with an edited sheet replaces that source's statements and entities, and nothing
    else. See docs/review-sheet.md for the sheet.

    \b
    Example:
      actorgraph add flights.sheet.yaml --check
      actorgraph add flights.sheet.yaml
    """
    from ..compiler import compile_sheet
    from ..errors import SheetError
    from ..output import Document, Table

    try:
        done = compile_sheet(sheet, ctx.source, check=check)
    except SheetError as err:
        if len(err.problems) > 1:  # one line each, then the count as the error
            for problem in err.problems:
                click.echo(problem, err=True)
        raise
    if check:
        title = f"{sheet} checks: nothing written"
    elif done.written:
        title = f"added {done.document.rsplit('/', 1)[-1]}"
    else:
        title = f"{sheet}: the graph already holds it; nothing written"
    def short(iri: str) -> str:
        return f"agid:{iri.rsplit('/', 1)[-1]}"

    fields = {
        "document": short(done.document),
        "statements": done.statements,
        "figures": done.figures,
    }
    if done.new_measures:
        fields["new measures"] = [short(i) for i in done.new_measures]
    if done.written or check:
        fields["written" if done.written else "would write"] = [_shown(p) for p in done.changed]
    rows = [{"id": short(e["iri"]), "label": e["label"], "type": e["type"], "iri": e["iri"]}
            for e in done.new_entities]
    new = Table(["id", "label", "type"], rows, title=f"new entities ({len(rows)})")
    return Document(title=title, fields=fields, sections={"new entities": new} if rows else {})
