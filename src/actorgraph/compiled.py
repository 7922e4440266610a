"""Compiled stores: the Turtle loaded once into an on-disk Oxigraph store under the cache directory, named
by the fingerprint of the files, so that any change to a file gives a new store (see
``store.LocalStore.open`` for when one is used). Built atomically under a lock, in the background for
the next runs, or from the nearest older store when only a few files changed; the background compile
also reads the page indexes of the biggest listings. Imported only when a graph is big enough to need
one, or when asked for one (``actorgraph serve``)."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .errors import DataFileError
from .store import DataSource, LocalStore, data_source, graph_name


def compile_store(source: DataSource | Path | str | None = None, ontology_dir: Path | str | None = None) -> Path:
    """The directory of the on-disk store compiled from the Turtle files, built atomically if missing.

    The SPARQL server's workers open it read-only, so a server and the CLI share one compiled copy.
    """
    return _compiled(data_source(source, ontology_dir))


def open_compiled(source: DataSource) -> ox.Store:
    return ox.Store.read_only(str(_compiled(source)))


def store_dir(key: str) -> Path:
    """The directory of the compiled store for the files whose fingerprint is ``key``."""
    return paths.cache_dir() / "stores" / key


def _lock(key: str, wait: bool):
    """An exclusive lock on compiling ``key`` (an open file; closing it unlocks), or None when another
    process holds it and ``wait`` is False."""
    import fcntl

    directory = paths.cache_dir() / "locks"
    directory.mkdir(parents=True, exist_ok=True)
    handle = (directory / f"{key}.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        handle.close()
        return None
    return handle


def _compiled(source: DataSource, unchanged=None) -> Path:
    """The compiled store's database, built first if missing. Files already kept beside it (the name
    index, the network's structure) stay: only the database is swapped in, whole. ``unchanged``, when
    given, is asked after the build whether the files are still those of the source's fingerprint; if
    not, the build is dropped (a ``DataFileError``)."""
    import shutil
    import tempfile

    key = source.fingerprint
    target = store_dir(key)
    root = target.parent
    if not (target / "COMPLETE").exists():
        lock = _lock(key, wait=True)
        try:
            if not (target / "COMPLETE").exists():  # another process may have built it meanwhile
                root.mkdir(parents=True, exist_ok=True)
                building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
                try:
                    base = nearest(source)
                    if base is None or not _apply_changes(base, building / "db", source):
                        _build(building / "db", source)
                    if unchanged is not None and not unchanged():
                        raise DataFileError("the files changed while the store was being compiled")
                    target.mkdir(exist_ok=True)
                    shutil.rmtree(target / "db", ignore_errors=True)  # a database never marked complete
                    os.replace(building / "db", target / "db")
                    import json

                    (target / "FILES").write_text(json.dumps(dict(source.digests)), encoding="utf-8")
                    (target / "COMPLETE").write_text(key)
                finally:
                    _remove(building)
                _prune(root, keep=key)
        finally:
            lock.close()
    return target / "db"


# A compiled store is brought up to date in place of a new compile when the files that changed since it
# hold at most this share of the graph's bytes: replacing one file's named graph is quick (an article of
# a thousand statements: a fraction of a second), but past a few percent of the graph a fresh compile
# in the background, while the run parses into memory, wins (a tenth of 100k statements: 20 s).
APPLY_CHANGES_MAX_SHARE = 0.02


def nearest(source: DataSource) -> Path | None:
    """A compiled store (its directory) of other files that differ from the source's in at most
    ``APPLY_CHANGES_MAX_SHARE`` of their bytes, the closest; None when there is none."""
    key, digests = source.fingerprint, source.digests
    root = store_dir(key).parent
    if not root.is_dir():
        return None
    import json

    sizes = {str(f.resolve()): f.stat().st_size for f in source.files}
    best: tuple[int, Path] | None = None
    for home in root.iterdir():
        if home.name == key or not (home / "COMPLETE").exists() or not (home / "FILES").exists():
            continue
        try:
            old = json.loads((home / "FILES").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not set(old) & set(sizes):
            continue
        changed = sum(size for name, size in sizes.items() if old.get(name) != digests[name])
        if changed <= APPLY_CHANGES_MAX_SHARE * sum(sizes.values()) and (best is None or changed < best[0]):
            best = (changed, home)
    return None if best is None else best[1]


def _apply_changes(base: Path, database: Path, source: DataSource) -> bool:
    """A copy of the compiled store in ``base`` (hard links: a moment) at ``database``, with the named
    graph of each changed, new or removed file replaced by the file as it is now. False when the copy
    cannot be made (the caller compiles afresh)."""
    import json

    try:
        old = json.loads((base / "FILES").read_text(encoding="utf-8"))
        ox.Store.read_only(str(base / "db")).backup(str(database))
    except (OSError, ValueError):
        return False
    by_name = {str(f.resolve()): f for f in source.files}
    store = ox.Store(str(database))
    try:
        for name in old.keys() - by_name.keys():  # removed files (their names are resolved paths)
            store.clear_graph(graph_name(Path(name), source.ontology_dir.resolve()))
        changed = [by_name[name] for name in by_name if old.get(name) != source.digests[name]]
        for path in changed:
            store.clear_graph(source.graph_name(path))
        source.load_into(store, files=changed)
        store.flush()
    finally:
        del store
    return True


def compile_in_background(source: DataSource) -> None:
    """Start compiling the on-disk store in a detached, lower-priority process, unless one is at it."""
    import subprocess
    import sys

    key = source.fingerprint
    lock = _lock(key, wait=False)
    if lock is None:
        return  # another process is compiling these files
    lock.close()
    # At a lower priority than the commands people run meanwhile (not the lowest: on a busy machine that
    # would starve it).
    code = ("import os, sys; os.nice(10); from actorgraph.compiled import compile_detached; "
            "compile_detached(sys.argv[1:])")
    try:
        subprocess.Popen([sys.executable, "-c", code, key, str(source.graph_dir), str(source.ontology_dir)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True)
    except OSError:
        pass  # no background compile: later runs parse into memory, as this one did


def compile_detached(argv: list[str]) -> None:
    """The background compile (see ``LocalStore.open``): ``key graph_dir ontology_dir``. It gives up if
    the files change before or while it builds, so that a store is never filed under a fingerprint that
    its data does not have."""
    key, graph_dir, ontology_dir = argv
    lock = _lock(key, wait=False)
    if lock is None:
        return
    lock.close()
    try:
        source = DataSource(graph_dir, ontology_dir)
        if source.fingerprint == key:
            _compiled(source, unchanged=lambda: DataSource(graph_dir, ontology_dir).fingerprint == key)
            index_listings(source)
    except Exception:  # noqa: BLE001 - nobody is waiting: the next run parses into memory instead
        return


# The listings whose first page, with no parameter, reads every statement's key (13 s for `statements`
# and 30 s for `timeline` at a million statements on disk), and those that page by a search text, whose
# first page for a new text reads every quote (13 s): the background compile reads them once more, after
# filing the store, so that nobody waits for them.
WHOLE_LISTINGS = ("statements", "timeline")
SEARCHED_LISTINGS = ("quotes",)
# A source document holding more statements than this has the page index of its `statements` read by
# the background compile too (the biggest 16 of them at most): that index takes about a second per
# 30,000 statements to read on disk (3.2 s for a document of 100,000 among a million), so a smaller
# document's first page stays under a second anyway.
BIG_DOCUMENT = 10_000


def index_listings(source: DataSource) -> None:
    """Build and keep, beside the data source's compiled store, the page indexes of the whole listings
    and of the statements of the biggest source documents, and the search corpora of the searched
    listings."""
    from .kg import KnowledgeGraph

    kg = KnowledgeGraph(LocalStore.open(source, cache=True), source.graph_dir)  # the compiled store
    for name in WHOLE_LISTINGS:
        query = kg.named_query(name)
        if query.page is not None:
            kg.page_index(query, kg.bind(query, {}))
    for name in SEARCHED_LISTINGS:
        query = kg.named_query(name)
        if query.page is not None and query.page.search is not None:
            kg.keep_search_corpus(query)
    query = kg.named_query("statements")
    if query.page is not None and "source" in query.anchors:
        biggest = kg.rows("SELECT ?document WHERE { ?statement ag:source ?document } GROUP BY ?document "
                          f"HAVING (COUNT(?statement) > {BIG_DOCUMENT:d}) ORDER BY DESC(COUNT(?statement)) LIMIT 16")
        for row in biggest:
            kg.page_index(query, {"source": ox.NamedNode(row["document"])})


def _build(path: Path, source: DataSource) -> None:
    store = ox.Store(str(path))
    try:
        source.load_into(store, bulk=True)
        store.flush()
        # Compacting once after the bulk load halves query times on it (100k statements: names 1.41 s ->
        # 0.59 s, who-negotiated 6.5 s -> 2.9 s) for ~15% more build time; the store is built once.
        store.optimize()
    finally:
        # Close the database even when parsing fails (a traceback would otherwise keep it open).
        del store


def _remove(path: Path, attempts: int = 50) -> None:
    """Remove a directory, retrying: the bulk loader's threads may still be writing after a failure."""
    import shutil
    import time

    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.05)


def _prune(root: Path, keep: str, limit: int = 3) -> None:
    """Keep the cache small: drop the oldest compiled stores beyond ``limit``."""
    import shutil

    stores = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[limit:]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
