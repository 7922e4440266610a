"""Commands: ``actorgraph export FORMAT``, and ``export all`` for the shipped ``exports/``.

The builders in ``actorgraph.export`` return text; this module writes it, through ``actorgraph.files``
(atomic, and never through a link or onto a special file), or to standard output with ``-o -``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import paths
from ..errors import DataFileError, UsageError
from ..files import check_target, write_file, write_files
from ..output import printable
from . import cli, echo_result, pass_ctx


def csv_targets(output: str) -> tuple[Path, Path]:
    """``-o DIR`` gives DIR/nodes.csv and DIR/edges.csv; ``-o out/ag`` gives out/ag-nodes.csv, ..."""
    target = Path(output)
    if names_directory(output):
        return target / "nodes.csv", target / "edges.csv"
    joiner = "" if target.name.endswith(("-", "_", ".")) else "-"
    return (target.with_name(f"{target.name}{joiner}nodes.csv"),
            target.with_name(f"{target.name}{joiner}edges.csv"))


def names_directory(output: str) -> bool:
    """``-o tables/`` (a trailing slash) or an existing directory: the files go inside it."""
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def make_directory(directory: Path, parents: bool = False) -> None:
    """Create the directory an ``-o`` names (with its missing parents, if ``parents``); an existing one
    is kept."""
    try:
        directory.mkdir(parents=parents, exist_ok=True)
    except OSError as err:
        raise DataFileError(f"{directory}: cannot create the directory: {err.strerror}") from None


@cli.group("export")
def export_group():
    """Write the graph as an interactive page, a timeline, GraphML, GEXF, CSV, RDF or FollowTheMoney.

    Example:

        actorgraph export html --ego "Osiris Luna Meza" --depth 2 -o luna.html
    """


def refuse_page_on_terminal(output: str | None, command: str) -> None:
    """A page of HTML is unreadable on a terminal and floods it: without -o, refuse before any work."""
    if not output and sys.stdout.isatty():
        raise UsageError(f"{command} writes an HTML page: give -o FILE (or -o - to print it anyway)")


def emit(data: bytes, output: str | None) -> None:
    """``data`` to the file ``output``, or to standard output when there is none or it is ``-``."""
    if not output or output == "-":
        echo_result(data)
        return
    write_file(output, data)
    click.echo(f"wrote {output}", err=True)


def _make_command(name: str):
    from ..export import FORMATS, HTML_MAX_NODES, View, build

    fmt = FORMATS[name]

    def command(ctx, output: str | None, as_of=None, ego=None, depth=1, types=(), max_nodes=None):
        if ego is None and depth != 1:
            raise UsageError("--depth needs --ego")
        view = View(as_of=as_of, ego=ego, depth=depth, types=tuple(types), max_nodes=max_nodes or None)
        to_stdout = not output or output == "-"
        if fmt.suffix == ".html":
            refuse_page_on_terminal(output, f"export {name}")
        new_directory = name == "csv" and not to_stdout and names_directory(output) \
            and not os.path.lexists(output)
        if new_directory:  # made once the files are built; its parent must exist now
            check_target(output)
        elif not to_stdout:  # a target that must not be replaced is refused before any work, in one line
            for target in (csv_targets(output) if name == "csv" else (output,)):
                check_target(target)
        notes: list[str] = []
        result = build(ctx.kg, name, view, notes)
        for note in notes:
            click.echo(printable(f"note: {note}"), err=True)
        if isinstance(result, dict):
            if to_stdout:
                raise UsageError("csv writes two files: give -o DIR or -o PREFIX")
            nodes_path, edges_path = csv_targets(output)
            if new_directory:
                make_directory(nodes_path.parent)
            write_files({nodes_path: result["nodes.csv"], edges_path: result["edges.csv"]})
            click.echo(f"wrote {nodes_path} and {edges_path}", err=True)
            return
        emit(result.encode("utf-8") if isinstance(result, str) else result, output)

    command.__doc__ = f"Write {fmt.description}.\n\n    Example:\n\n        {fmt.example}\n    "
    command = pass_ctx(command)
    if fmt.network:
        default_max = HTML_MAX_NODES if name == "html" else 0
        command = click.option("--max-nodes", type=click.IntRange(min=0), default=default_max, show_default=True,
                               help="Keep only this many entities, the most connected, and their relationships "
                                    "(0: all)." + (" A browser draws a few thousand well, not a hundred "
                                                   "thousand." if name == "html" else ""))(command)
        command = click.option("--type", "types", multiple=True, metavar="TYPE",
                               help="Only entities of this type (and its subtypes); repeat for more."
                               )(command)
        command = click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
                               help="Steps out from --ego.")(command)
        command = click.option("--ego", metavar="NAME", help="Only the network around this entity.")(command)
        command = click.option("--as-of", "as_of", metavar="DATE",
                               help="Only what holds on this date (YYYY, YYYY-MM or YYYY-MM-DD).")(command)
    required = name == "csv"
    command = click.option("-o", "--output", metavar="FILE" if not required else "DIR|PREFIX",
                           required=required,
                           help="The file to write, replaced atomically; - for standard output (the "
                                "default, except for an HTML page on a terminal)." if not required
                           else "A directory, or a prefix for PREFIX-nodes.csv and PREFIX-edges.csv."
                           )(command)
    export_group.command(name)(command)


def _make_commands() -> None:
    from ..export import FORMATS

    for name in FORMATS:
        _make_command(name)


_make_commands()


@export_group.command("all")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write to [default: exports/].")
@click.option("--check", is_flag=True,
              help="Write nothing; fail if any file differs from what would be written.")
@pass_ctx
def export_all(ctx, output: Path | None, check: bool):
    """Regenerate every file of exports/: the network page and figure, three ego networks, the timeline,
    each source's text page, each story's page, GraphML, GEXF and FollowTheMoney.

    Example:

        actorgraph export all -o exports/
    """
    from ..errors import ActorgraphError
    from ..export import build_all

    directory = output or paths.exports_dir()
    files = build_all(ctx.kg)
    if check:
        stale = [name for name, data in files.items()
                 if not (directory / name).is_file() or (directory / name).read_bytes() != data]
        if stale:
            raise ActorgraphError(f"stale exports in {directory}: {', '.join(stale)} "
                                  f"(run: actorgraph export all -o {directory})")
        click.echo(f"{len(files)} exports in {directory} are up to date", err=True)
        return
    make_directory(directory, parents=True)
    write_files({directory / name: data for name, data in files.items()})
    click.echo(f"wrote {len(files)} files to {directory}", err=True)


from . import pages  # noqa: E402,F401 - export story and export sources
