"""Bad input never gives an internal error: link loops, a full standard output, bytes that are not UTF-8,
bad time limits and click's own usage errors each give one line and exit 1 or 2. Control characters in
the data are shown as escapes in tables, in CSV on a terminal and in error messages. And what
``validate`` adds: empty files, quotes too short to point at a sentence, dates with a time zone."""

from __future__ import annotations

import os
import subprocess

import pytest

from actorgraph.output import printable
from conftest import ONTOLOGY, WORLD
from servers import actorgraph_cmd
from test_files import on_terminal


def run_cli(*args: str | bytes, graph=WORLD, **kwargs) -> subprocess.CompletedProcess:
    """The installed command in a subprocess, for what needs a process of its own (its standard output
    on /dev/full, closed, or a pipe); arguments may be bytes (bytes that are not UTF-8)."""
    prefix = ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY)] if graph else []
    kwargs.setdefault("capture_output", "stdout" not in kwargs)
    return subprocess.run([*actorgraph_cmd(), *prefix, *args], timeout=120, **kwargs)


@pytest.fixture
def cli_main(monkeypatch, capfdbinary):
    """The command's entry point (``actorgraph.cli.main``, which turns errors into one line and an exit
    code) run in this process, with its arguments as the operating system would give them (bytes
    decoded as Python decodes argv), and its real file descriptors captured. Much faster than a
    process per case."""
    import io
    import sys

    from actorgraph.cli import main

    def run(*args: str | bytes, graph=WORLD, text: bool = False, input: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        prefix = ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY)] if graph else []
        argv = ["actorgraph", *prefix, *(os.fsdecode(a) if isinstance(a, bytes) else a for a in args)]
        monkeypatch.setattr(sys, "argv", argv)
        if input is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(input)))
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capfdbinary.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        out, err = capfdbinary.readouterr()
        return subprocess.CompletedProcess(argv, code, out.decode() if text else out, err.decode() if text else err)

    return run


def one_line_error(done: subprocess.CompletedProcess, code: int) -> str:
    """The error line on stderr (as text), after checking that it is one line with this exit code."""
    stderr = done.stderr.decode() if isinstance(done.stderr, bytes) else done.stderr
    assert done.returncode == code, stderr
    assert stderr.startswith("actorgraph: error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return stderr


# -- link loops and special files under --graph-dir ------------------------------------------------------


def test_a_loop_of_links_among_the_turtle_files(cli_main, world_copy):
    os.symlink("b.ttl", world_copy / "a.ttl")
    os.symlink("a.ttl", world_copy / "b.ttl")
    for command in (["actors"], ["validate"], ["export", "turtle"], ["push", "--store", "http://127.0.0.1:9/s"]):
        done = cli_main(*command, graph=world_copy, text=True)
        assert one_line_error(done, 1) == f"actorgraph: error: {world_copy / 'a.ttl'}: Too many levels of " \
                                          f"symbolic links\n"


def test_a_graph_dir_that_is_a_loop_of_links(cli_main, tmp_path):
    os.symlink("loop", tmp_path / "loop")
    done = cli_main("actors", graph=tmp_path / "loop", text=True)
    assert one_line_error(done, 1) == f"actorgraph: error: {tmp_path / 'loop'}: Too many levels of symbolic links\n"


def test_a_fifo_among_the_turtle_files_is_refused_not_read(cli_main, world_copy):
    os.mkfifo(world_copy / "pipe.ttl")
    done = cli_main("actors", graph=world_copy, text=True)
    assert one_line_error(done, 1) == f"actorgraph: error: {world_copy / 'pipe.ttl'}: not a regular file\n"


def test_a_source_text_behind_a_loop_of_links_is_a_violation(cli_main, world_copy):
    (world_copy / "sources" / "world-report.txt").unlink()
    os.symlink("world-report.txt", world_copy / "sources" / "world-report.txt")
    done = cli_main("validate", graph=world_copy, text=True)
    assert done.returncode == 1
    assert "source text sources/world-report.txt cannot be read (a loop of symbolic links)" in done.stdout
    assert done.stderr.endswith("\nactorgraph: error: 1 violation(s)\n")  # after the world's warnings


# -- a full standard output -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["who-negotiated"], ["export", "turtle", "-o", "-"], ["sparql", "SELECT * WHERE { ?s ?p ?o }"], ["validate"],
    ["query", "--list"], ["--help"],
])
def test_a_full_standard_output_is_one_line(command):
    with open("/dev/full", "wb") as full:
        done = run_cli(*command, stdout=full, stderr=subprocess.PIPE, text=True)
    message = one_line_error(done, 1)
    assert message.endswith("cannot write to standard output: No space left on device\n") or \
        message == "actorgraph: error: cannot write: No space left on device\n"


def test_a_closed_standard_output_is_one_line():
    done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY), "actors"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=lambda: os.close(1))
    assert one_line_error(done, 1) == "actorgraph: error: cannot write to standard output: it is closed\n"


def test_a_closed_pipe_is_not_an_error():
    process = subprocess.Popen([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY),
                                "export", "ntriples"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(10)
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


# -- bytes that are not UTF-8 ----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    [b"sparql", b'SELECT * WHERE { ?s ?p "\xff" }'],
    [b"query", b"quotes", b"-p", b"text=caf\xe9"],
    [b"show", b"\xffTorres"],
])
def test_an_argument_that_is_not_utf8(cli_main, args):
    done = cli_main(*args)
    message = one_line_error(done, 2)
    assert message.startswith("actorgraph: error: an argument is not valid UTF-8 (byte 0x")


def test_a_query_file_or_stdin_that_is_not_utf8(cli_main, tmp_path):
    query = tmp_path / "q.rq"
    query.write_bytes(b'SELECT * WHERE {\n  ?s ?p "\xff" }\n')
    assert one_line_error(cli_main("sparql", str(query)), 1) == \
        f"actorgraph: error: {query}:2: not UTF-8 text (byte 0xff)\n"
    done = cli_main("sparql", "-", input=b'SELECT * WHERE { ?s ?p "caf\xe9" }')
    assert one_line_error(done, 1) == "actorgraph: error: standard input:1: not UTF-8 text (byte 0xe9)\n"


# -- time limits -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "rule"), [
    *[(v, "a finite number of seconds above 0") for v in ("-1", "0", "nan", "inf", "-inf")],
    ("1e300", "at most 86400 seconds (a day)"), ("soon", "a number of seconds"),
])
def test_push_refuses_a_bad_timeout(cli_main, value, rule):
    done = cli_main("push", "--store", "http://127.0.0.1:9/store", "--timeout", value, text=True)
    assert one_line_error(done, 2) == f"actorgraph: error: --timeout must be {rule}, not '{value}'\n"


def test_the_endpoint_timeout_variable_is_checked_too(cli_main):
    done = cli_main("who-negotiated", "--format", "json", graph=None, text=True,
                    env={"ACTORGRAPH_ENDPOINT": "http://127.0.0.1:9/sparql", "ACTORGRAPH_ENDPOINT_TIMEOUT": "nan"})
    assert one_line_error(done, 2) == ("actorgraph: error: ACTORGRAPH_ENDPOINT_TIMEOUT must be a finite number of "
                                       "seconds above 0, not 'nan'\n")


@pytest.mark.parametrize(("args", "message"), [
    (["expot"], "No such command 'expot'. Did you mean 'export'? (see: actorgraph --help)"),
    (["export", "csv"], "Missing option '-o' / '--output'. (see: actorgraph export csv --help)"),
    (["actors", "--format", "xml"], "Invalid value for '--format': 'xml' is not one of 'table', 'json', 'csv'. "
                                    "(see: actorgraph actors --help)"),
])
def test_usage_errors_are_one_line(cli_main, args, message):
    assert one_line_error(cli_main(*args, text=True), 2) == f"actorgraph: error: {message}\n"


# -- control characters in the data -----------------------------------------------------------------------

# OSC 52 (write the clipboard), a carriage return, a C1 control sequence introducer and a right-to-left
# override: a terminal acts on each of them.
HOSTILE = "Bo\x1b]52;c;ZXZpbA==\x07\rLind\x9b31m\u202e"
SHOWN = "Bo\\u001b]52;c;ZXZpbA==\\u0007\\rLind\\u009b31m\\u202e"
RAW_CONTROLS = [b"\x1b", b"\x07", b"\r", "\x9b".encode(), "\u202e".encode()]


@pytest.fixture
def hostile_world(world_copy):
    actors = world_copy / "actors.ttl"
    turtle = HOSTILE.encode("unicode_escape").decode().replace("\\x", "\\u00")
    actors.write_text(actors.read_text().replace('rdfs:label "Bo Lind"', f'rdfs:label "{turtle}"'))
    return world_copy


def test_printable_escapes_every_control_character():
    assert printable(HOSTILE) == SHOWN
    assert printable("two\nlines\tand a tab") == "two\\nlines\\tand a tab"
    assert printable("two\nlines\tand a tab", multiline=True) == "two\nlines\tand a tab"
    assert printable("Élmer Canales Rivera «Crook» 😀 زن\u200c") == "Élmer Canales Rivera «Crook» 😀 زن\u200c"


def test_a_table_shows_control_characters_as_escapes(cli_main, hostile_world):
    done = cli_main("actors", graph=hostile_world)
    assert done.returncode == 0
    assert SHOWN.encode() in done.stdout
    assert not any(raw in done.stdout for raw in RAW_CONTROLS)


def test_csv_on_a_terminal_shows_escapes_and_a_pipe_gets_the_data(hostile_world):
    args = ["--graph-dir", str(hostile_world), "--ontology-dir", str(ONTOLOGY), "actors", "--format", "csv"]
    code, seen, _ = on_terminal(*args)
    assert code == 0
    assert SHOWN.encode() in seen
    assert not any(raw in seen for raw in [b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode()])
    piped = run_cli("actors", "--format", "csv", graph=hostile_world)
    assert HOSTILE.encode() in piped.stdout  # the data itself, for programs


def test_an_error_message_shows_control_characters_as_escapes(cli_main, hostile_world):
    done = cli_main("show", "Bo Lindx", graph=hostile_world)
    message = one_line_error(done, 2)
    assert message.startswith("actorgraph: error: unknown name 'Bo Lindx'; closest: Bo\\u001b]52;c;ZXZpbA==")
    assert not any(raw.decode() in message for raw in RAW_CONTROLS)


# -- validate ------------------------------------------------------------------------------------------


def validate(cli_main, graph) -> tuple[int, list[str]]:
    done = cli_main("validate", graph=graph, text=True)
    return done.returncode, done.stdout.splitlines()


def test_an_empty_data_file_is_reported(cli_main, world_copy):
    (world_copy / "more.ttl").write_text("")
    (world_copy / "comments.ttl").write_text("# only a comment\n@prefix ag: <https://w3id.org/actorgraph/ont#> .\n")
    code, lines = validate(cli_main, world_copy)
    assert code == 1
    comments, more = world_copy / "comments.ttl", world_copy / "more.ttl"
    assert f"{comments}  -  the file holds no triples (an empty or truncated file?)  ({comments}:1)" in lines
    assert f"{more}  -  the file holds no triples (an empty or truncated file?)  ({more}:1)" in lines


def test_an_emptied_actors_file_is_reported_as_such(cli_main, world_copy):
    (world_copy / "actors.ttl").write_text("")
    code, lines = validate(cli_main, world_copy)
    assert code == 1
    assert lines[0].startswith(f"{world_copy / 'actors.ttl'}  -  the file holds no triples")


@pytest.mark.parametrize(("quote", "message"), [
    ("S", 'quote occurs 3 times in sources/world-report.txt; quote enough of the sentence to point at one '
          'place: "S"'),
    ("Harbor", 'quote too short to identify a sentence (1 word; at least 3): "Harbor"'),
    ("June 2023", 'quote too short to identify a sentence (2 words; at least 3): "June 2023"'),
    ("the Freedonian government", 'quote occurs 3 times in sources/world-report.txt; quote enough of the '
                                  'sentence to point at one place: "the Freedonian government"'),
])
def test_a_quote_must_point_at_one_sentence(cli_main, world_copy, quote, message):
    report = world_copy / "world-report.ttl"
    report.write_text(report.read_text().replace('ag:quote "arrested in Sylvania in June 2023"', f'ag:quote "{quote}"'))
    code, lines = validate(cli_main, world_copy)
    assert code == 1
    assert [line for line in lines if "ag:quote" in line] == [f"agid:st-mott-arrested  ag:quote  {message}  "
                                                               f"({world_copy / 'world-report.ttl'}:54)"]


def test_three_words_found_once_are_enough(cli_main, world_copy):
    report = world_copy / "world-report.ttl"
    report.write_text(report.read_text().replace('ag:quote "arrested in Sylvania in June 2023"',
                                                 'ag:quote "in June 2023"'))
    assert validate(cli_main, world_copy) == (0, validate(cli_main, WORLD)[1])


@pytest.mark.parametrize("value", ['"2025-02-04Z"^^xsd:date', '"2025-02-04+02:00"^^xsd:date',
                                   '"2025-02-04-05:00"^^xsd:date'])
def test_a_date_with_a_time_zone_is_refused(cli_main, world_copy, value):
    report = world_copy / "world-report.ttl"
    report.write_text(report.read_text().replace('"2025-02-04"^^xsd:date', value))
    code, lines = validate(cli_main, world_copy)
    assert code == 1
    assert lines == [f"agid:st-torres-offered  ag:pointInTime/ag:dateValue  ag:dateValue must be a well-formed "
                     f"xsd:date (YYYY-MM-DD), xsd:gYearMonth (YYYY-MM) or xsd:gYear (YYYY): {value}  "
                     f"({world_copy / 'world-report.ttl'}:19)"]
