"""One data source per command: the graph and ontology directories resolved once, each Turtle file parsed
once, whichever command reads them (validate, push, the server, import ftm, add-source, add, draft, the
pages)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from actorgraph import paths
from actorgraph.cli import cli
from actorgraph.store import DataSource

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"


@pytest.fixture
def parses(monkeypatch, world_copy) -> Counter:
    """How often each Turtle file of the world copy (and the ontology) is parsed, by either of
    pyoxigraph's readers: ``pyoxigraph.parse`` and a store's ``load``/``bulk_load``. Bytes handed to a
    parser count for the file that holds them."""
    counts: Counter = Counter()
    files = DataSource(world_copy, ONTOLOGY).files
    by_content = {path.read_bytes(): str(path) for path in files}

    def count(input=None, path=None) -> None:
        if path is not None:
            counts[str(path)] += 1
        elif isinstance(input, bytes | str):
            data = input.encode("utf-8") if isinstance(input, str) else input
            counts[by_content.get(data, "<other text>")] += 1

    real_parse, real_store = pyoxigraph.parse, pyoxigraph.Store

    def parse(input=None, format=None, **kwargs):
        count(input, kwargs.get("path"))
        return real_parse(input, format, **kwargs)

    class Store:
        """pyoxigraph.Store, counting what it loads (the class itself cannot be subclassed)."""

        read_only = staticmethod(real_store.read_only)

        def __init__(self, *args, **kwargs):
            self._store = real_store(*args, **kwargs)

        def load(self, input=None, format=None, **kwargs):
            count(input, kwargs.get("path"))
            return self._store.load(input, format, **kwargs)

        def bulk_load(self, input=None, format=None, **kwargs):
            count(input, kwargs.get("path"))
            return self._store.bulk_load(input, format, **kwargs)

        def __getattr__(self, name):
            return getattr(self._store, name)

        def __len__(self):
            return len(self._store)

        def __iter__(self):
            return iter(self._store)

    monkeypatch.setattr(pyoxigraph, "parse", parse)
    monkeypatch.setattr(pyoxigraph, "Store", Store)
    counts.files = [str(path) for path in files]  # type: ignore[attr-defined]
    return counts


def once_each(counts: Counter) -> dict[str, int]:
    """The counts of every file, for comparing with {file: 1}."""
    return {name: counts[name] for name in counts.files}  # type: ignore[attr-defined]


def test_validate_parses_each_file_once(parses, invoke, world_copy):
    """The shapes, the checks and the sentence coverage of one `validate` all read one parse of each file."""
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 0, result.output
    assert "of source sentences quoted" in result.stdout  # the coverage ran, from the same parse
    assert once_each(parses) == {name: 1 for name in parses.files}
    assert set(parses) == set(parses.files)


def test_validate_reports_coverage_as_the_store_does(world_copy):
    """The coverage validate computes from its own parse is the coverage a store gives."""
    from actorgraph.coverage import coverage_of, sentence_coverage
    from actorgraph.validate import validate

    source = DataSource(world_copy, ONTOLOGY)
    report = validate(source)
    assert coverage_of(report.quoted, source.graph_dir).as_json() == sentence_coverage(source).as_json()


def test_push_and_the_server_parse_each_file_once(parses, world_copy):
    from actorgraph.push import prepare

    prepare(DataSource(world_copy, ONTOLOGY))
    assert once_each(parses) == {name: 1 for name in parses.files}
    parses.clear()
    DataSource(world_copy, ONTOLOGY).snapshot()  # the server's front; each worker loads the bytes it read
    assert once_each(parses) == {name: 1 for name in parses.files}


def test_import_ftm_parses_each_file_once(parses, invoke, world_copy, tmp_path):
    data = tmp_path / "people.ftm.json"
    data.write_text(json.dumps({"id": "p-dana", "schema": "Person", "properties": {"name": ["Dana Reyes"]}}) + "\n",
                    encoding="utf-8")
    result = invoke("import", "ftm", str(data), graph=world_copy)
    assert result.exit_code == 0, result.output
    assert once_each(parses) == {name: 1 for name in parses.files}


def test_validate_keeps_lexical_forms_and_file_line_errors(world_copy):
    """Validation reads the files as written (a store would rewrite "+05:00" as "Z" or "01" as "1"), and a
    syntax error names its file and line, as before."""
    from actorgraph.errors import ParseError

    source = DataSource(world_copy, ONTOLOGY)
    (world_copy / "extra.ttl").write_text(
        '<https://w3id.org/actorgraph/id/x> <https://w3id.org/actorgraph/ont#note> '
        '"01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', encoding="utf-8")
    [quads] = [list(q) for p, q in DataSource(world_copy, ONTOLOGY).parsed() if p.name == "extra.ttl"]
    assert quads[0].object.value == "01"
    (world_copy / "extra.ttl").write_text("<a:b> <a:c> .\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"extra.ttl:1: "):
        for _, quads in DataSource(world_copy, ONTOLOGY).parsed():
            list(quads)
    assert source.files  # the first source, resolved before the file was added, is untouched


# -- the directories ------------------------------------------------------------------------------------------


def grow(graph: Path, work: Path, run) -> None:
    """add-source, draft, import ftm, add and the pages, through ``run`` (the CLI with its flags), on the
    graph directory ``graph``."""
    text = work / "follow-up.txt"
    text.write_text("Ana Torres met Carl Mott in Port Alba on 3 March 2025, the ministry said.\n", encoding="utf-8")
    run("add-source", str(text), "--title", "A follow-up report", "--published", "2025-03-04")
    assert (graph / "sources" / "follow-up.txt").is_file()
    run("draft", "follow-up", "-o", str(work / "follow-up.sheet.yaml"))
    assert "doc-follow-up" in (work / "follow-up.sheet.yaml").read_text(encoding="utf-8")
    data = work / "people.ftm.json"
    data.write_text(json.dumps({"id": "p-dana", "schema": "Person", "properties": {"name": ["Dana Reyes"]}}) + "\n",
                    encoding="utf-8")
    run("import", "ftm", str(data), "--accept")
    assert (graph / "sources" / "people.txt").is_file()
    run("add", str(work / "people.sheet.yaml"))
    assert "Dana Reyes" in (graph / "actors.ttl").read_text(encoding="utf-8")
    pages = work / "pages"
    pages.mkdir()
    run("export", "sources", "-o", str(pages))
    assert "Port Alba" in (pages / "source-follow-up.html").read_text(encoding="utf-8")
    assert run("export", "story") == ""  # the graph's stories: it has none


@pytest.mark.parametrize("how", ["environment", "flag"])
def test_the_graph_directory_reaches_every_command_once(how, world_copy, tmp_path, monkeypatch):
    """ACTORGRAPH_GRAPH_DIR and --graph-dir reach add-source, draft, import ftm, add and the pages alike,
    and each command looks the directory up once, in its DataSource, never again on its own."""
    lookups: list = []
    real = paths.graph_dir

    def graph_dir(flag=None):
        lookups.append((flag, sys._getframe(1).f_code.co_qualname))
        return real(flag)

    monkeypatch.setattr(paths, "graph_dir", graph_dir)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # outside the project, whose own graph/ would otherwise be the fallback
    monkeypatch.setenv("ACTORGRAPH_ONTOLOGY_DIR", str(ONTOLOGY))
    if how == "environment":
        monkeypatch.setenv("ACTORGRAPH_GRAPH_DIR", str(world_copy))
    flags = ["--graph-dir", str(world_copy)] if how == "flag" else []
    looked_up = {}

    def run(*args: str) -> str:
        lookups.clear()
        result = CliRunner().invoke(cli, [*flags, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        # (`add` validates a scratch copy of the graph too: a data source of its own.)
        looked_up[args[0] if args[0] != "export" else " ".join(args[:2])] = [
            where for flag, where in lookups if flag is None or Path(flag) == world_copy]
        return result.stdout

    grow(world_copy, work, run)
    assert looked_up == {command: ["DataSource.__init__"] for command in
                         ("add-source", "draft", "import", "add", "export sources", "export story")}
