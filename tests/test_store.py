"""The store layer: loading, the compiled-store cache, and bindings."""

from __future__ import annotations

import os
import time

import pyoxigraph as ox
import pytest

from actorgraph.errors import DataFileError, ParseError, QueryError
from actorgraph.store import LocalStore, bind_values, fingerprint, is_update, turtle_files
from conftest import ONTOLOGY, WORLD

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ag:Person }"


def persons(store) -> int:
    return int(store.select(COUNT).rows[0]["n"].value)


def test_cached_store_is_rebuilt_when_a_file_changes(world_copy):
    first = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    assert persons(first) == 3
    key = first.key
    # Same size, same mtime: only the content changes. The fingerprint must still notice.
    actors = world_copy / "actors.ttl"
    stat = actors.stat()
    text = actors.read_text()
    changed = text.replace("agid:bo-lind a ag:Person", "agid:bo-lind a ag:Prison")
    assert len(changed) == len(text)
    actors.write_text(changed)
    os.utime(actors, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    assert second.key != key
    assert persons(second) == 2


def test_cached_store_is_reused_when_nothing_changed(world_copy):
    first = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    del first
    second = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    assert persons(second) == 3


def test_new_file_in_graph_dir_changes_the_fingerprint(world_copy):
    before = fingerprint(turtle_files(world_copy, ONTOLOGY))
    (world_copy / "extra.ttl").write_text(
        "@prefix ag: <https://w3id.org/actorgraph/ont#> .\n"
        "<https://w3id.org/actorgraph/id/x> a ag:Person .\n")
    assert fingerprint(turtle_files(world_copy, ONTOLOGY)) != before
    assert persons(LocalStore.open(world_copy, ONTOLOGY, cache=True)) == 4


def test_a_half_built_cache_is_never_used(world_copy, monkeypatch, tmp_path):
    # A build that dies leaves no store under the final name, so the next open builds again.
    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    (world_copy / "zz-broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(ParseError):
        LocalStore.open(world_copy, ONTOLOGY, cache=True)
    stores = tmp_path / "cache" / "stores"
    assert list(stores.iterdir()) == []


def test_cache_switch_from_environment(world_copy, monkeypatch):
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    assert LocalStore.open(world_copy, ONTOLOGY).key is not None
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "never")
    assert LocalStore.open(world_copy, ONTOLOGY).key is None
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "sometimes")
    with pytest.raises(DataFileError, match="auto, always or never"):
        LocalStore.open(world_copy, ONTOLOGY)


def test_stale_cache_never_answers_through_the_cli(invoke, world_copy, monkeypatch):
    import json

    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")

    def names() -> list[str]:
        output = invoke("actors", "--format", "json", graph=world_copy).output
        return [r["name"] for r in json.loads(output)["rows"]]

    assert "Ana Torres" in names()
    path = world_copy / "actors.ttl"
    path.write_text(path.read_text().replace('"Ana Torres"', '"Ana Torres-Ruiz"'))
    time.sleep(0.01)
    assert "Ana Torres-Ruiz" in names() and "Ana Torres" not in names()


def test_bindings_go_in_a_values_block_on_the_marker_line():
    query = "# WHERE { in a comment\nSELECT ?x WHERE {\n  #@values\n  ?x ?p ?v }"
    bound = bind_values(query, {"v": ox.Literal('a "quoted" } value')})
    assert bound.startswith("# WHERE { in a comment\nSELECT ?x WHERE {\n  VALUES (?v) { (")
    assert '"a \\"quoted\\" } value"' in bound and bound.endswith(") }\n  ?x ?p ?v }")
    with pytest.raises(QueryError, match="bad parameter name"):
        bind_values(query, {"v }": ox.Literal("x")})
    assert bind_values(query, {}) == query


@pytest.mark.parametrize("text, expected", [
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("PREFIX a: <http://a/> INSERT DATA { a:a a:b a:c }", True),
    ("  delete where { ?s ?p ?o }", True),
    ("# INSERT\nASK { ?s ?p ?o }", False),
    ("BASE <http://x/> CLEAR DEFAULT", True),
])
def test_is_update(text, expected):
    assert is_update(text) is expected


def test_missing_and_empty_directories(tmp_path):
    with pytest.raises(DataFileError, match="no such directory"):
        LocalStore.open(tmp_path / "none", ONTOLOGY)
    (tmp_path / "file.ttl").write_text("")
    with pytest.raises(DataFileError, match="file.ttl: not a directory"):
        LocalStore.open(tmp_path / "file.ttl", ONTOLOGY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match="no .ttl files"):
        LocalStore.open(tmp_path / "empty", ONTOLOGY)


def test_files_load_into_named_graphs():
    store = LocalStore.open(WORLD, ONTOLOGY)
    graphs = {r["g"].value for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows}
    assert {
        "https://w3id.org/actorgraph/id/doc-world-report",
        "https://w3id.org/actorgraph/graph/actors",
        "https://w3id.org/actorgraph/graph/sources",
        "https://w3id.org/actorgraph/graph/ontology/actorgraph",
    } <= graphs


def test_the_name_index_is_kept_beside_a_compiled_store(world_copy, monkeypatch, tmp_path):
    import json

    from actorgraph.kg import KnowledgeGraph
    from actorgraph.names import NameIndex

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    store = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    built = NameIndex.from_store(store)
    saved = list((tmp_path / "cache" / "stores" / store.key).glob("names-*.json"))
    assert len(saved) == 1
    # Read back, not rebuilt: a name written only into the file resolves.
    rows = json.loads(saved[0].read_text(encoding="utf-8"))
    assert len(rows) == len(built.entries)
    iri = rows[0][0]
    rows.append([iri, "Only In The File", rows[0][2], "alias", "only in the file"])
    saved[0].write_text(json.dumps(rows), encoding="utf-8")
    assert KnowledgeGraph(LocalStore.open(world_copy, ONTOLOGY, cache=True)).resolve("only in the file") == iri
    # A damaged file is rebuilt from the store, and rewritten.
    saved[0].write_text("{not json", encoding="utf-8")
    again = NameIndex.from_store(LocalStore.open(world_copy, ONTOLOGY, cache=True))
    assert [e.name for e in again.entries] == [e.name for e in built.entries]
    assert len(json.loads(saved[0].read_text(encoding="utf-8"))) == len(built.entries)
    # In memory there is no home for it, and nothing is written.
    assert LocalStore.open(world_copy, ONTOLOGY, cache=False).sidecar("names.json") is None


def _wait_for(path, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def test_first_run_answers_from_memory_and_compiles_in_the_background(world_copy, monkeypatch, tmp_path):
    """Above the size threshold, a run on new files parses them (no waiting for the compile), keeps its
    side files under the fingerprint, and leaves the compiled store to a background process, which does
    not remove those side files; the next run opens the compiled store."""
    from actorgraph import store as store_module
    from actorgraph.kg import KnowledgeGraph
    from actorgraph.network import STRUCTURE_VERSION

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(store_module, "DISK_CACHE_THRESHOLD", 0)
    first = LocalStore.open(world_copy, ONTOLOGY)
    assert first.key is not None and first.on_disk is False
    assert persons(first) == 3
    assert KnowledgeGraph(first).bare_structure.iris  # saved beside where the compiled store goes
    home = tmp_path / "cache" / "stores" / first.key
    assert (home / STRUCTURE_VERSION / "meta.json").is_file()
    assert _wait_for(home / "COMPLETE"), "the background compile did not finish"
    second = LocalStore.open(world_copy, ONTOLOGY)
    assert second.on_disk is True and second.key == first.key and persons(second) == 3
    assert (home / STRUCTURE_VERSION / "meta.json").is_file()
    # A command that reads every statement parses a mid-sized graph even so.
    assert LocalStore.open(world_copy, ONTOLOGY, reads="all").on_disk is False


def test_a_background_compile_of_changed_files_files_nothing(world_copy, monkeypatch, tmp_path):
    from actorgraph.compiled import compile_detached

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    files = turtle_files(world_copy, ONTOLOGY)
    stale = fingerprint(files)
    (world_copy / "actors.ttl").write_text((world_copy / "actors.ttl").read_text() + "\n# changed\n")
    compile_detached([stale, str(world_copy), str(ONTOLOGY)])
    assert not (tmp_path / "cache" / "stores" / stale / "COMPLETE").exists()


def test_a_background_compile_indexes_the_whole_listings(world_copy, monkeypatch, tmp_path):
    """After filing the store, the background compile reads the keys of each whole listing, so that a
    first page on new data runs only the page itself."""
    import actorgraph
    from actorgraph import compiled
    from actorgraph.compiled import SEARCHED_LISTINGS, WHOLE_LISTINGS, compile_detached

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "BIG_DOCUMENT", 1)  # every document of two statements or more
    key = fingerprint(turtle_files(world_copy, ONTOLOGY))
    compile_detached([key, str(world_copy), str(ONTOLOGY)])
    home = tmp_path / "cache" / "stores" / key
    assert (home / "COMPLETE").exists()
    for name in WHOLE_LISTINGS[1:]:
        assert len(list(home.glob(f"pages-{name}-*.txt"))) == 1, name
    for name in SEARCHED_LISTINGS:
        assert len(list(home.glob(f"search-{name}-*.text"))) == 1, name
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    kg = actorgraph.load(world_copy, ONTOLOGY)
    assert kg.store.on_disk
    ran: list[str] = []
    real = kg.store.run
    monkeypatch.setattr(kg.store, "run", lambda text, bindings=None: ran.append(text) or real(text, bindings))
    for name in ("statements", "timeline"):
        assert kg.named_page(name, limit=2).result.rows
    assert len(ran) == 2  # each page's own query; no keys read
    assert kg.named_page("quotes", limit=2, text="E").result.rows
    assert len(ran) == 4 and not any("# The pages of" in text for text in ran)  # no quote read
    documents = [row["d"] for row in kg.rows("SELECT ?d WHERE { ?s ag:source ?d } GROUP BY ?d "
                                             "HAVING (COUNT(?s) > 1)")]
    assert documents and len(list(home.glob("pages-statements-*.txt"))) == 1 + len(documents)
    ran.clear()
    for document in documents:
        assert kg.named_page("statements", limit=2, source=document).result.rows
    assert not any("# The pages of" in text for text in ran)  # no page query: no keys read


def test_a_compile_whose_files_change_meanwhile_files_nothing(world_copy, monkeypatch, tmp_path):
    """Changed during the build: dropped. Changed after it was filed: kept (it is the old files' store,
    and the new files have another fingerprint)."""
    from actorgraph import compiled
    from actorgraph.compiled import compile_detached

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    files = turtle_files(world_copy, ONTOLOGY)
    key = fingerprint(files)
    build = compiled._build

    def build_then_edit(path, source):
        build(path, source)
        (world_copy / "actors.ttl").write_text((world_copy / "actors.ttl").read_text() + "\n# edited\n")

    monkeypatch.setattr(compiled, "_build", build_then_edit)
    compile_detached([key, str(world_copy), str(ONTOLOGY)])
    assert not (tmp_path / "cache" / "stores" / key / "COMPLETE").exists()
    monkeypatch.setattr(compiled, "_build", build)
    again = fingerprint(files)
    compile_detached([again, str(world_copy), str(ONTOLOGY)])
    (world_copy / "actors.ttl").write_text((world_copy / "actors.ttl").read_text() + "\n# later\n")
    assert (tmp_path / "cache" / "stores" / again / "COMPLETE").exists()


def _quads(store):
    """The store's quads, blank nodes masked (each parse names them afresh), counted."""
    from collections import Counter

    return Counter(tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in q)
                   for q in store.oxigraph.quads_for_pattern(None, None, None, None))


def test_a_few_changed_files_are_applied_to_the_compiled_store(world_copy, monkeypatch, tmp_path):
    """A compiled store of nearly the same files is copied and the changed, new and removed files'
    graphs replaced: the same quads as a fresh compile, without compiling."""
    from actorgraph import compiled
    from actorgraph import store as store_module

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(store_module, "DISK_CACHE_THRESHOLD", 0)
    monkeypatch.setattr(compiled, "APPLY_CHANGES_MAX_SHARE", 1.0)
    first = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    assert (tmp_path / "cache" / "stores" / first.key / "FILES").is_file()
    actors = world_copy / "actors.ttl"
    actors.write_text(actors.read_text().replace('"Bo Lind"', '"Bo Lind-Berg"'))
    (world_copy / "extra.ttl").write_text("@prefix ag: <https://w3id.org/actorgraph/ont#> .\n"
                                          "<https://w3id.org/actorgraph/id/x> a ag:Person .\n")
    (world_copy / "sources.ttl").unlink()
    builds = []
    build = compiled._build
    monkeypatch.setattr(compiled, "_build", lambda *a: (builds.append(a), build(*a)))
    applied = LocalStore.open(world_copy, ONTOLOGY)  # auto: the change is applied, on disk, now
    assert applied.on_disk and applied.key != first.key and builds == []
    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "fresh"))
    fresh = LocalStore.open(world_copy, ONTOLOGY, cache=True)
    assert builds and _quads(applied) == _quads(fresh)
    assert persons(applied) == 4
def test_a_list_of_values_binds_one_row_each(world):
    statements = [row["s"] for row in world.rows("SELECT ?s WHERE { ?s ag:quote ?q } ORDER BY ?s LIMIT 3")]
    query = "SELECT ?s ?quote WHERE {\n  #@values\n  ?s ag:quote ?quote ; ag:source ?doc .\n} ORDER BY ?s"
    doc = ox.NamedNode("https://w3id.org/actorgraph/id/doc-world-report")
    rows = world.rows(query, {"s": [ox.NamedNode(s) for s in statements], "doc": doc})
    assert [row["s"] for row in rows] == statements
    assert world.rows(query, {"s": [], "doc": doc}) == []
    with pytest.raises(QueryError, match="one length"):
        world.rows(query, {"s": [doc], "doc": [doc, doc]})


def test_one_data_source_serves_the_store_the_answer_cache_and_validation(world_copy, monkeypatch):
    """A DataSource resolves its directories once (flag, then environment, then project) and hashes the
    files at most once; the store, validation and the sentence coverage all take it."""
    from actorgraph import store as store_module
    from actorgraph.coverage import sentence_coverage
    from actorgraph.store import DataSource
    from actorgraph.validate import validate

    monkeypatch.setenv("ACTORGRAPH_GRAPH_DIR", str(world_copy))
    source = DataSource(ontology_dir=ONTOLOGY)
    assert source.graph_dir == world_copy and source.files == store_module.turtle_files(world_copy, ONTOLOGY)
    assert DataSource(WORLD, ONTOLOGY).graph_dir == WORLD  # a flag wins over the environment
    hashed = []
    real = store_module.fingerprint
    monkeypatch.setattr(store_module, "fingerprint", lambda *args: hashed.append(1) or real(*args))
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    assert source.fingerprint == LocalStore.open(source).key == source.fingerprint
    assert hashed == [1]
    assert validate(source).conforms
    assert sentence_coverage(source).documents


def test_the_server_and_push_read_the_same_data_source(world_copy):
    """The server's snapshot and push's graphs come from the DataSource: the same files, the same named
    graphs, each file checked to parse first."""
    from actorgraph.push import prepare
    from actorgraph.store import DataSource

    source = DataSource(world_copy, ONTOLOGY)
    snapshot = source.snapshot()
    assert [graph for graph, _ in snapshot] == [source.graph_name(p).value for p in source.files]
    assert sorted({graph for graph, _, _ in prepare(source)}) == source.named_graphs() == sorted(
        {graph for graph, _ in snapshot})
    (world_copy / "world-report.ttl").write_text("agid:x ag:p .\n")
    with pytest.raises(ParseError, match=r"world-report.ttl:1"):
        DataSource(world_copy, ONTOLOGY).snapshot()


def test_whole_listings_ask_for_the_store_that_reads_everything_fastest(invoke, monkeypatch):
    """A listing of every statement opens the store with reads="all" (a mid-sized graph then answers from
    memory, docs/speed.md); a question about one entity, or one page, reads part of it."""
    from actorgraph import store as store_module

    monkeypatch.setenv("ACTORGRAPH_ANSWER_CACHE", "never")
    asked = []
    real = store_module.LocalStore.open.__func__

    def recording(cls, *args, reads="part", **kwargs):
        asked.append(reads)
        return real(cls, *args, reads=reads, **kwargs)

    monkeypatch.setattr(store_module.LocalStore, "open", classmethod(recording))
    for args, reads in ((["timeline"], "all"), (["timeline", "--actor", "Red"], "part"),
                        (["timeline", "--limit", "2"], "part"), (["query", "statements"], "all"),
                        (["query", "statements", "--limit", "2"], "part"),
                        (["query", "statements", "-p", "by=prosecutors"], "part"), (["show", "Red"], "part")):
        asked.clear()
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert asked == [reads], args


def test_a_files_hash_is_kept_by_its_times_and_a_write_reads_it_again(tmp_path, monkeypatch):
    """An unchanged file keeps its recorded hash without being read; any write (even of the same size)
    changes its times, and it is read again; a file written moments ago is not recorded."""
    import hashlib
    import time

    from actorgraph import store as store_module

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "a.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n")
    truth = lambda: hashlib.blake2b(data.read_bytes(), digest_size=16).hexdigest()  # noqa: E731
    first = store_module.file_digests([data])
    assert first == {str(data.resolve()): truth()}
    assert not (tmp_path / "cache" / "digests.txt").exists()  # written moments ago: not recorded
    later = time.time_ns() + 10_000_000_000
    monkeypatch.setattr(time, "time_ns", lambda: later)
    store_module.file_digests([data])
    assert str(data.resolve()) in (tmp_path / "cache" / "digests.txt").read_text()
    reads = []
    opened = type(data).open
    monkeypatch.setattr(type(data), "open",
                        lambda self, *a, **k: (self == data and reads.append(self), opened(self, *a, **k))[1])
    assert store_module.file_digests([data]) == first and reads == []  # kept: not read
    data.write_text("<urn:a> <urn:b> <urn:d> .\n")  # the same size
    again = store_module.file_digests([data])
    assert again == {str(data.resolve()): truth()} != first and reads


def test_names_fold_case_accents_and_spaces_alike_in_ascii_and_beyond():
    """A typed name is matched folded: accents stripped, case folded, spaces collapsed. ASCII text takes
    a shorter way there, which must give what the whole way gives."""
    import string
    import unicodedata

    from actorgraph.names import fold

    def whole_way(text: str) -> str:
        bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return " ".join(bare.casefold().split())

    assert fold("Élmer  CANALES\tRivera ") == "elmer canales rivera" == fold("elmer canales rivera")
    assert fold("Straße") == "strasse"
    for text in [string.printable, *string.printable, " Osiris  Luna\nMeza ", "MS-13 “Ranfla”", "ﬁ", ""]:
        assert fold(text) == whole_way(text)
