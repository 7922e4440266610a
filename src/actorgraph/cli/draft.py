"""Command: ``actorgraph draft SOURCE``, which writes a review sheet of proposed claims for a source.

The proposals come from ``actorgraph.draft``; this module only chooses where the sheet goes and writes it
(atomically, never through a link, never into the graph directory, never over a sheet without --force).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from . import Context, cli, pass_ctx


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except (OSError, ValueError):
        return False
    return True


@cli.command()
@click.argument("source")
@click.option("-o", "--output", metavar="FILE",
              help="Where to write the sheet (default: NAME.sheet.yaml in the current directory, NAME being "
                   "the source's file name; - for standard output).")
@click.option("--force", is_flag=True, help="Replace an existing sheet (a reviewer's edits in it are lost).")
@pass_ctx
def draft(ctx: Context, source: str, output: str | None, force: bool):
    """Propose claims for a source document: write a review sheet to check, then `add`.

    SOURCE names a document added with `add-source`, by id, title or file name. The sheet proposes
    entities, claims, statuses, dates and figures, all unaccepted; nothing enters the graph until a
    person accepts them and runs `actorgraph add SHEET`.

    Example:

        actorgraph draft el-salvador-offers-to-jail-us-deportees -o review.sheet.yaml
    """
    from ..draft import draft_source, sheet_name, source_text
    from ..files import check_target, write_file
    from ..review import render_sheet

    graph_dir = ctx.source.graph_dir
    document = source_text(ctx.kg, source, graph_dir)
    target = None if output == "-" else Path(output or sheet_name(document.text_file))
    if target is not None:
        if _inside(target.parent, graph_dir):
            raise UsageError(f"{target}: a draft is never written into the graph directory ({graph_dir}); "
                             "choose another place with -o")
        if check_target(target) is not None and not force:
            raise UsageError(f"{target} exists (a sheet under review?): give --force to replace it, "
                             "or -o another file")
    result = draft_source(ctx.kg, document)
    text = render_sheet(result, title=document.title)
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(target, text)
    click.echo(f"wrote {target}: {_count(len(result.entities), 'new entity', 'new entities')}, "
               f"{_count(len(result.claims), 'claim')} and {_count(len(result.figures), 'figure')} proposed from "
               f"{_count(len(result.sentences), 'sentence')}, none accepted; nothing is in the graph until you "
               f"accept them and run: actorgraph add {target}", err=True)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
