"""Commands: ``actorgraph export story`` and ``actorgraph export sources``, the pages the explorer links to."""

from __future__ import annotations

from pathlib import Path

import click

from ..files import check_target
from . import pass_ctx
from .export import emit, export_group, refuse_page_on_terminal


@export_group.command("story")
@click.argument("name", required=False)
@click.option("-o", "--output", metavar="FILE", help="Where to write (default: standard output).")
@pass_ctx
def export_story(ctx, name: str | None, output: str | None):
    """Write a story's page: the map walked through step by step, each step with its caption, its quote
    and the evidence of what it highlights. Stories are files under graph/stories/ (NAME.toml); with no
    NAME, lists them.

    Example:

        actorgraph export story luna-sanctioned-twice -o luna-story.html
    """
    from ..export.story import build_story
    from ..story import find_story, load_story, story_files

    graph_dir = ctx.source.graph_dir
    if name is None:
        for path in story_files(graph_dir):
            story = load_story(path)
            click.echo(f"{path.stem}  {story.title} ({len(story.steps)} steps)")
        return
    refuse_page_on_terminal(output, "export story")
    if output and output != "-":
        check_target(output)
    emit(build_story(ctx.kg, find_story(graph_dir, name)).encode("utf-8"), output)


@export_group.command("sources")
@click.option("-o", "--output", metavar="DIR", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The directory to write the pages to (beside the network pages that link to them).")
@pass_ctx
def export_sources(ctx, output: Path):
    """Write one page per source document: its stored text, every quoted passage marked, and the
    passage a link names highlighted (source-NAME.html#st=STATEMENT).

    Example:

        actorgraph export sources -o exports/
    """
    from ..errors import DataFileError
    from ..export.source import build_source_pages
    from ..files import write_files

    if not output.is_dir():
        raise DataFileError(f"{output}: no such directory")
    pages = build_source_pages(ctx.kg)
    write_files({output / name: text for name, text in pages.items()})  # all of them, or none
    click.echo(f"wrote {len(pages)} source page(s) to {output}", err=True)
