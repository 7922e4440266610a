"""The ``actorgraph`` command: a click group of thin commands over the library.

Each command parses its arguments, calls one library function, and hands the result to ``output``.
Errors from the library arrive as ``ActorgraphError`` and leave here as one line and an exit code.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from .. import paths
from ..errors import ActorgraphError


class Context:
    """What every command shares: where the graph is, and the loaded graph (on first use)."""

    def __init__(self, graph_dir: Path | None, ontology_dir: Path | None, endpoint: str | None):
        self.graph_dir = graph_dir
        self.ontology_dir = ontology_dir
        self.endpoint = endpoint
        self.reads = "part"  # "all" when the command reads every statement (see store.LocalStore.open)
        self._source = None
        self._kg = None

    @property
    def source(self):
        """The graph and ontology this command reads (``store.DataSource``), resolved once: the answer
        cache and the store share its files and their fingerprint."""
        if self._source is None:
            from ..store import DataSource

            self._source = DataSource(self.graph_dir, self.ontology_dir)
        return self._source

    @property
    def kg(self):
        if self._kg is None:
            from ..kg import load

            self._kg = load(endpoint=self.endpoint, source=self.source, reads=self.reads)
        return self._kg


pass_ctx = click.make_pass_decorator(Context)


def _rendered(func, cache: bool):
    """Add ``--format table|json|csv`` to a command whose function returns a Table or Document, and
    print the rendered result; with ``cache``, from the answer cache when the same question was asked."""

    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                  show_default=True, help="Output format.")
    @functools.wraps(func)
    def wrapper(*args, fmt: str, **kwargs):
        from .. import answers

        key = None
        context = click.get_current_context()
        shared = context.find_object(Context)
        if cache and shared is not None and not shared.endpoint and answers.enabled():
            # The files are hashed once: the answer's key and, on a miss, the compiled store's key.
            key = answers.answer_key(shared.source.fingerprint,
                                     [context.command_path, repr(sorted(context.params.items()))])

        def compute() -> str:
            from ..output import render

            return render(func(*args, **kwargs), fmt)

        try:
            text = answers.cached(key, compute)
        except ActorgraphError as err:
            if err.partial is not None:  # what was done before the failure, in the asked format
                from ..output import render

                echo_result(render(err.partial, fmt))
            raise
        echo_result(text)

    return wrapper


def echo_result(text: str | bytes) -> None:
    """Print a command's result on standard output. On a terminal, control characters in the data are
    shown as escapes (``output.printable``), never acted on; a pipe or a file gets the data as it is.
    A standard output that cannot take it (a full disk) is a one-line error."""
    from ..errors import DataFileError

    if sys.stdout is None:  # started with standard output closed (``>&-``)
        raise DataFileError("cannot write to standard output: it is closed")
    stream = sys.stdout.buffer
    try:
        if not stream.isatty():
            stream.write(text.encode("utf-8") if isinstance(text, str) else text)
        else:
            from ..output import printable

            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            stream.write(printable(text, multiline=True).encode("utf-8"))
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise DataFileError(f"cannot write to standard output: {err.strerror or err}") from None


def output_options(func):
    """``--format`` for a command with effects (such as ``push``): always computed afresh."""
    return _rendered(func, cache=False)


def answer_options(func):
    """``--format`` for a question that only reads the graph: its rendered answer is cached, keyed by
    the graph, the code and the arguments (see ``actorgraph.answers``)."""
    return _rendered(func, cache=True)


class CommandError(click.ClickException):
    """An ActorgraphError on its way out: one line on stderr, the error's own exit code."""

    def __init__(self, err: ActorgraphError):
        super().__init__(str(err))
        self.exit_code = err.exit_code

    def show(self, file=None) -> None:
        _echo_error(f"actorgraph: error: {self.format_message()}")


def _echo_error(message: str) -> None:
    """One line on stderr, with any control character from the data shown as an escape."""
    from ..output import printable

    click.echo(printable(message), err=True)


# The modules that define the commands (each registers its own on ``cli``), most asked first: a command
# imports the modules up to its own, not every command of the tool (which took a tenth of a cold start
# where Python compiles our modules afresh on each run).
COMMAND_MODULES = ("queries", "analysis", "export", "validate", "server", "grow", "draft", "interop")


class Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ActorgraphError as err:
            raise CommandError(err) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        import importlib

        command = super().get_command(ctx, cmd_name)
        for module in COMMAND_MODULES:
            if command is not None:
                break
            importlib.import_module(f"{__package__}.{module}")
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        all_commands()
        return super().list_commands(ctx)


def all_commands() -> dict[str, click.Command]:
    """Every command of the tool, by name (their modules imported)."""
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{module}")
    return cli.commands


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--graph-dir", type=click.Path(path_type=Path), envvar=paths.ENV_GRAPH_DIR,
              help=f"Directory of the graph's Turtle files [env: {paths.ENV_GRAPH_DIR}; default: graph/].")
@click.option("--ontology-dir", type=click.Path(path_type=Path), envvar=paths.ENV_ONTOLOGY_DIR,
              help=f"Directory of the ontology [env: {paths.ENV_ONTOLOGY_DIR}; default: ontology/].")
@click.option("--endpoint", metavar="QUERY_URL", envvar=paths.ENV_ENDPOINT,
              help=f"Run queries against this SPARQL 1.1 endpoint instead of local files "
                   f"[env: {paths.ENV_ENDPOINT}].")
@click.version_option(package_name="actorgraph")
@click.pass_context
def cli(ctx: click.Context, graph_dir: Path | None, ontology_dir: Path | None, endpoint: str | None):
    """actorgraph: who did what to whom in a news story, with proof.

    Every relationship carries the verbatim quote it came from, its source, who asserts it, its dates
    and its status.
    """
    ctx.obj = Context(graph_dir, ontology_dir, endpoint)


def _check_arguments(arguments: list[str]) -> None:
    """Refuse an argument that is not valid UTF-8 (Python keeps its stray bytes as surrogates, which no
    query, name or message can carry) before any command sees it."""
    from ..errors import UsageError

    for argument in arguments:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError as err:
            raw = argument.encode("utf-8", "surrogateescape")
            shown = raw.decode("utf-8", "backslashreplace")
            shown = shown if len(shown) <= 80 else shown[:79] + "…"
            raise UsageError(f"an argument is not valid UTF-8 (byte 0x{raw[err.start]:02x}): {shown}") from None


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own flush at exit, into a pipe whose
    reader has gone, prints nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def run() -> None:
    """The installed command and ``python -m actorgraph``: ``main``, then leave without tearing the graph
    down object by object (a graph parsed into memory takes half a second of CPU to free at 100k
    statements, five at a million). Everything has been written by then."""
    main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader has gone (``| head``): nothing is wrong
    os._exit(0)


def main() -> None:
    """Entry point: run the group, turning every error into one line and an exit code."""
    try:
        _check_arguments(sys.argv[1:])
        cli.main(standalone_mode=False, prog_name="actorgraph")
    except ActorgraphError as err:
        _echo_error(f"actorgraph: error: {err}")
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("actorgraph: aborted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        # click's own errors (a bad option value, a missing argument) as one line too, with a pointer
        # to the help instead of click's usage block.
        hint = ""
        if isinstance(err, click.UsageError) and err.ctx is not None:
            hint = f" (see: {err.ctx.command_path} --help)"
        _echo_error(f"actorgraph: error: {' '.join(err.format_message().split())}{hint}")
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)  # the reader has gone (``| head``): nothing is wrong
    except OSError as err:
        import errno

        # A full or failing disk under a write that has no message of its own (click's --help into
        # a full standard output, say) is the machine's state, not a bug.
        if err.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS):
            _internal_error(err)
        where = f"{err.filename}: " if err.filename else ""
        _echo_error(f"actorgraph: error: {where}cannot write: {err.strerror}")
        sys.exit(1)
    except Exception as err:  # noqa: BLE001 - the last line of defence: no traceback for people
        _internal_error(err)


def _internal_error(err: Exception) -> None:
    if os.environ.get("ACTORGRAPH_DEBUG"):
        raise err
    first = str(err).splitlines()[0] if str(err) else ""
    _echo_error(f"actorgraph: internal error: {type(err).__name__}: {first} (set ACTORGRAPH_DEBUG=1 for details)")
    sys.exit(70)
