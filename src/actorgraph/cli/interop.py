"""``actorgraph import ftm``: FollowTheMoney entities as a new source, through a review sheet and ``add``."""

from __future__ import annotations

from pathlib import Path

import click

from . import Context, cli, output_options, pass_ctx


@cli.group("import")
def import_group():
    """Bring another tool's data in as a new source, for review and `actorgraph add`.

    Example:

        actorgraph import ftm collection.ftm.json --title "Aleph collection: prison contracts"
    """


@import_group.command("ftm")
@click.argument("ftm_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", help="The source's title [default: FollowTheMoney entities from FILE].")
@click.option("--name", help="The source's name: the file becomes graph/sources/NAME.txt and its document "
                             "agid:doc-NAME [default: from the file name].")
@click.option("--url", help="Where the data was published (http or https). Unknown when left out.")
@click.option("--published", metavar="DATE", help="When the data was published or exported: YYYY, YYYY-MM or "
                                                  "YYYY-MM-DD. Unknown when left out.")
@click.option("--language", metavar="TAG", help="The language of its text, as a tag such as en.")
@click.option("--opensanctions", is_flag=True,
              help="The file is an OpenSanctions export: each entity's id is its OpenSanctions id, proposed "
                   "as an identifier with the file as its origin.")
@click.option("--accept", is_flag=True,
              help="Propose every entity, and every claim whose relationship type is known, as accepted "
                   "(the file says it); review the sheet all the same.")
@click.option("-o", "--sheet", "sheet", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the review sheet [default: NAME.sheet.yaml beside the file].")
@click.option("--force", is_flag=True, help="Replace an existing sheet (a reviewer's edits in it are lost).")
@output_options
@pass_ctx
def import_ftm_command(ctx: Context, ftm_file: Path, title: str | None, name: str | None, url: str | None,
                       published: str | None, language: str | None, opensanctions: bool, accept: bool,
                       sheet: Path | None, force: bool):
    """Store a FollowTheMoney file (one entity a line) as a source and write its review sheet.

    The file is stored byte for byte like any source text (add-source). Its entities become proposed
    entities, its links (Membership, Directorship, Occupancy, Sanction...) and some properties (a
    nationality) proposed claims, each quoting the exact line or property of the file it comes from; a
    Wikidata id it gives is proposed with the file as its origin. Edit the sheet, then `actorgraph add` it.
    A file already stored gets a fresh sheet (--force to replace one under review). A malformed file is
    refused, naming its line, and nothing is written.

    \b
    Example:
      actorgraph import ftm collection.ftm.json --title "Aleph collection: prison contracts"
      actorgraph add collection.sheet.yaml
    """
    from ..ftm_import import import_ftm
    from ..output import Document

    done = import_ftm(ftm_file, title=title, name=name, url=url, published=published, language=language,
                      opensanctions=opensanctions, accept=accept, sheet=sheet, force=force,
                      graph_dir=ctx.source)
    fields = {
        "document": f"agid:{done.source}",
        "text": str(done.text_file) + ("" if done.stored else " (already stored)"),
        "sheet": str(done.sheet),
        "entities proposed": done.entities,
        "claims proposed": done.claims,
        "claims accepted": done.accepted,
        "identifiers proposed": done.identifiers,
        "next": f"review {done.sheet}, then: actorgraph add {done.sheet}",
    }
    return Document(title=f"imported {ftm_file.name}", fields=fields, sections={}, notes=done.notes)
