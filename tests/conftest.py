"""Shared fixtures: the small fixture world for logic tests, and the real shipped graph."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import actorgraph
from actorgraph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
WORLD = Path(__file__).resolve().parent / "fixtures" / "world"
SHIPPED = ROOT / "graph"
ONTOLOGY = ROOT / "ontology"
# The graph the checks of the shipped graph run on: graph/ itself, or (ACTORGRAPH_TEST_GRAPH) a copy of it
# grown with another source, on which every answer about the first article must be the same
# (tests/test_second_source.py runs them so).
GRAPH = Path(os.environ.get("ACTORGRAPH_TEST_GRAPH") or SHIPPED)
FIRST_SOURCE = "https://w3id.org/actorgraph/id/doc-el-salvador-offers-to-jail-us-deportees"


def first_source_rows(kg, query: str) -> list[dict]:
    """Rows of a query in which ``?doc`` is bound to the first source document: how the checks of the
    first article's counts and lists keep to that article when the graph holds others."""
    import pyoxigraph

    return kg.rows(query, {"doc": pyoxigraph.NamedNode(FIRST_SOURCE)})


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Compiled stores go to a temporary cache, never the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    mp.delenv("ACTORGRAPH_ENDPOINT", raising=False)
    mp.delenv("ACTORGRAPH_GRAPH_DIR", raising=False)
    mp.setenv("COLUMNS", "200")
    # Logic tests see fresh answers; tests/test_answers.py turns the answer cache back on.
    mp.setenv("ACTORGRAPH_ANSWER_CACHE", "never")
    yield
    mp.undo()


@pytest.fixture(scope="session")
def world() -> actorgraph.KnowledgeGraph:
    """The fixture world: a few invented actors, loaded once."""
    return actorgraph.load(WORLD, ONTOLOGY)


@pytest.fixture(scope="session")
def kg() -> actorgraph.KnowledgeGraph:
    """The shipped graph."""
    return actorgraph.load(GRAPH, ONTOLOGY)


@pytest.fixture
def world_copy(tmp_path) -> Path:
    """A writable copy of the fixture world, for tests that break it on purpose."""
    target = tmp_path / "world"
    shutil.copytree(WORLD, target)
    return target


@pytest.fixture
def invoke():
    """Run the CLI in-process: invoke("show", "Red", graph=WORLD) -> click Result."""

    def run(*args: str, graph: Path | None = WORLD, input: str | None = None):
        runner = CliRunner()
        prefix = ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY)] if graph else []
        return runner.invoke(cli, [*prefix, *args], input=input, catch_exceptions=False)

    return run


# A world with markup in a label, an alias and a quote, for the escaping tests of every output.
EVIL = '<img src=x onerror="window.__pwned=1">'
EVIL_ALIAS = "</script><script>window.__pwned=2</script>"


def make_evil_world(world_dir: Path) -> Path:
    """The fixture world with markup in a label, an alias and a quote (and an "href" that must stay text)."""
    actors = world_dir / "actors.ttl"
    text = actors.read_text(encoding="utf-8")
    text = text.replace('rdfs:label "Carl Mott" ; skos:altLabel "Red"',
                        f'rdfs:label {json.dumps(EVIL)} ; skos:altLabel "Red", {json.dumps(EVIL_ALIAS)}')
    actors.write_text(text, encoding="utf-8")
    report = world_dir / "world-report.ttl"
    text = report.read_text(encoding="utf-8")
    text = text.replace('ag:quote "Carl Mott, known as Red, leads the Harbor Gang."',
                        'ag:quote "<a href=\\"javascript:window.__pwned=3\\">leads</a> & more"')
    report.write_text(text, encoding="utf-8")
    return world_dir
