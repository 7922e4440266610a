"""The answer cache: the same question twice is answered from the cache, and never stale."""

from __future__ import annotations

import json

import pytest

from actorgraph import answers
from actorgraph.store import DataSource
from conftest import ONTOLOGY


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(directory))
    monkeypatch.delenv("ACTORGRAPH_ANSWER_CACHE", raising=False)
    return directory / "answers"


def names(invoke, graph):
    result = invoke("actors", "--type", "person", "--format", "json", graph=graph)
    assert result.exit_code == 0, result.output
    return [r["name"] for r in json.loads(result.output)["rows"]]


def test_second_answer_comes_from_the_cache(invoke, world_copy, cache, monkeypatch):
    first = names(invoke, world_copy)
    assert len(list(cache.glob("*.txt"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("the graph was queried although the answer was cached")

    monkeypatch.setattr("actorgraph.questions.actors", refuse)
    assert names(invoke, world_copy) == first


def test_a_changed_graph_file_is_never_answered_from_the_cache(invoke, world_copy, cache):
    assert "Ana Torres" in names(invoke, world_copy)
    actors = world_copy / "actors.ttl"
    actors.write_text(actors.read_text().replace('"Ana Torres"', '"Ana Torres-Ruiz"'))
    assert "Ana Torres-Ruiz" in names(invoke, world_copy)
    assert len(list(cache.glob("*.txt"))) == 2


def test_a_changed_ontology_or_code_changes_the_key(world_copy, cache, tmp_path, monkeypatch):
    key = answers.answer_key(DataSource(world_copy, ONTOLOGY).fingerprint, ["actors"])
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    for path in ONTOLOGY.glob("*.ttl"):
        (ontology / path.name).write_text(path.read_text() + "\n# changed\n")
    assert answers.answer_key(DataSource(world_copy, ontology).fingerprint, ["actors"]) != key
    code = tmp_path / "code.rq"
    code.write_text("# a changed query")
    monkeypatch.setattr(answers, "_code_files", lambda: [code])
    assert answers.answer_key(DataSource(world_copy, ONTOLOGY).fingerprint, ["actors"]) != key


def test_width_arguments_and_format_are_part_of_the_key(invoke, world_copy, cache, monkeypatch):
    invoke("actors", graph=world_copy)
    invoke("actors", "--format", "csv", graph=world_copy)
    invoke("actors", "--type", "person", graph=world_copy)
    monkeypatch.setenv("COLUMNS", "90")
    invoke("actors", graph=world_copy)
    assert len(list(cache.glob("*.txt"))) == 4


def test_errors_are_not_cached(invoke, world_copy, cache):
    assert invoke("show", "Nobody", graph=world_copy).exit_code == 2
    assert not cache.exists() or not list(cache.glob("*.txt"))


def test_the_cache_can_be_turned_off(invoke, world_copy, cache, monkeypatch):
    monkeypatch.setenv("ACTORGRAPH_ANSWER_CACHE", "never")
    names(invoke, world_copy)
    assert not cache.exists()


def test_answers_from_an_endpoint_are_not_cached(world_copy, cache):
    from click.testing import CliRunner

    from actorgraph.cli import cli

    result = CliRunner().invoke(cli, ["--endpoint", "http://127.0.0.1:9/query", "actors"])
    assert result.exit_code != 0  # nothing listens there; the point is that nothing was cached
    assert not cache.exists()


def test_a_miss_hashes_the_graph_files_once(invoke, world_copy, cache, monkeypatch):
    # The answer's key and the compiled store's key come from one pass over the Turtle files.
    from actorgraph import store

    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    hashed = []
    real = store.file_digests

    def counting(files):
        files = list(files)
        if any(f.suffix == ".ttl" for f in files):
            hashed.append(files)
        return real(files)

    monkeypatch.setattr(store, "file_digests", counting)
    assert "Ana Torres" in names(invoke, world_copy)
    assert len(hashed) == 1
