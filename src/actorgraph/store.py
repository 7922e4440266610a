"""The one store layer. Every query goes through a ``Store``: the local Oxigraph store built from the
Turtle files, or a remote SPARQL 1.1 endpoint. Results come back as pyoxigraph terms either way.

User values reach SPARQL only as bound terms: a ``VALUES`` block of serialised terms (pyoxigraph's own
N-Triples serialisation, which escapes them) on the query's ``#@values`` line, which says where they
go. Local and remote stores use the same mechanism, so a query binds the same way on both. User text
is never formatted into query text. (pyoxigraph's own ``substitutions`` only bind variables that the
query projects, and a remote endpoint has nothing like them.)
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from . import paths
from .errors import (
    DataFileError,
    ParseError,
    QueryError,
    ReadOnlyError,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal

ONT = "https://w3id.org/actorgraph/ont#"
ID = "https://w3id.org/actorgraph/id/"
ENV_ENDPOINT_TIMEOUT = "ACTORGRAPH_ENDPOINT_TIMEOUT"
GRAPH_NS = "https://w3id.org/actorgraph/graph/"

PREFIXES = {
    "ag": ONT,
    "agid": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
}

# An update keyword at the start of an operation (after the prologue) marks a SPARQL Update request.
_UPDATE_RE = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_LINE_RE = re.compile(r"line (\d+)")


class SelectResult(NamedTuple):
    """Rows of a SELECT query: ``variables`` in order, and one dict of terms per row (unbound = absent)."""

    variables: list[str]
    rows: list[dict[str, Term]]


def one_line(message: str, limit: int = 240) -> str:
    """A parser's message on one line: whitespace collapsed, a long list of expected tokens cut short."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_update(query: str) -> bool:
    """True when the text is a SPARQL Update rather than a query (comments stripped first)."""
    stripped = "\n".join(line.split("#", 1)[0] if "<" not in line else line for line in query.splitlines())
    return bool(_UPDATE_RE.match(stripped))


def to_python(term: Term | None) -> str | int | float | bool | None:
    """A term as a plain value: IRIs as strings, numbers as numbers, dates as their lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger", "#positiveInteger")):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if dt.endswith(("#decimal", "#double", "#float")):
            try:
                number = float(term.value)
            except ValueError:
                return term.value
            return int(number) if number.is_integer() else number
        if dt.endswith("#boolean"):
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


class Store(ABC):
    """A read-only SPARQL store. Subclasses answer queries; they never change the graph."""

    @abstractmethod
    def _run(self, query: str, bindings: Mapping[str, Term]):
        """Answer one query: pyoxigraph solutions, a boolean, or an iterable of triples."""

    @property
    @abstractmethod
    def description(self) -> str:
        """Where the data comes from, for messages."""

    def sidecar(self, name: str) -> Path | None:
        """Where to keep a file derived from this store's data (a name index, say), or None when the
        store has no fixed home (in memory, remote). Its data never changes under the same path."""
        return None

    def run(self, query: str, bindings: Mapping[str, Term] | None = None):
        """Run any read query; returns pyoxigraph solutions, a boolean or triples."""
        if is_update(query):
            raise ReadOnlyError("updates are not allowed: actorgraph only reads the graph")
        return self._run(query, dict(bindings or {}))

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> SelectResult:
        result = self.run(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        variables = [v.value for v in result.variables]
        # A solution iterates its values in variable order (None where unbound): half the cost of
        # looking each variable up by name, which shows on a million rows.
        rows = [{v: term for v, term in zip(variables, sol, strict=True) if term is not None} for sol in result]
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self.run(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        result = self.run(query, bindings)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return list(result)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad in the store (named graph per source file)."""
        result = self.run("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for sol in result:
            yield ox.Quad(sol["s"], sol["p"], sol["o"], sol["g"])


# ----------------------------------------------------------------------------------------------
# Local store
# ----------------------------------------------------------------------------------------------


class DataSource:
    """The graph and the ontology that a command reads, resolved once: their directories (a flag, else
    the environment, else the project layout, see ``paths``), their Turtle files in a stable order, and
    the files' fingerprint, computed at most once (the answer cache and the compiled store share it).

    Each file is parsed once per command, by one of two readers that report errors alike (file:line):
    ``parsed`` streams each file's quads as written (validation, push, the server's check), so that a
    big graph is never held twice; ``load_into`` fills an Oxigraph store (the store of a
    command, the compiled store), which keeps literals in canonical form and loads twice as fast as
    adding quads parsed beforehand would."""

    def __init__(self, graph_dir: Path | str | None = None, ontology_dir: Path | str | None = None):
        self.graph_dir = paths.graph_dir(graph_dir)
        self.ontology_dir = paths.ontology_dir(ontology_dir)
        self._files: list[Path] | None = None
        self._fingerprint: str | None = None
        self._digests: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"DataSource({str(self.graph_dir)!r}, {str(self.ontology_dir)!r})"

    @property
    def files(self) -> list[Path]:
        """The ontology's and the graph's Turtle files (missing directories are an error)."""
        if self._files is None:
            self._files = turtle_files(self.graph_dir, self.ontology_dir)
        return self._files

    @property
    def fingerprint(self) -> str:
        """A hash of the files' names and contents: a changed byte gives a new fingerprint."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.files, self.digests)
        return self._fingerprint

    @property
    def digests(self) -> dict[str, str]:
        """Each file's content hash by its resolved path (``file_digests``), read at most once: what
        changed since an earlier compiled store, and which parts of the network's structure to re-read."""
        if self._digests is None:
            self._digests = file_digests(self.files)
        return self._digests

    def graph_name(self, path: Path) -> ox.NamedNode:
        """The named graph the file loads into."""
        return graph_name(path, self.ontology_dir)

    def load_into(self, store: ox.Store, *, bulk: bool = False, files: list[Path] | None = None) -> None:
        """Parse every file (or ``files``) into its named graph of ``store`` (the first syntax error as
        file:line)."""
        load_files(store, self.files if files is None else files, self.ontology_dir, bulk=bulk)

    def parsed(self, shown: Callable[[Path], str] = str) -> Iterator[tuple[Path, Iterator[ox.Quad]]]:
        """Each file and its quads as written (lexical forms and blank node labels kept: a blank node is
        local to its file), streamed as the parser reads them, one file after the other; a syntax error
        as file:line, the file named by ``shown``."""
        for path in self.files:
            yield path, parse_turtle(path, shown=shown)

    def named_graphs(self) -> list[str]:
        """The named graphs the files load into, sorted."""
        return sorted({self.graph_name(path).value for path in self.files})

    def snapshot(self) -> list[tuple[str, bytes]]:
        """The files read once, as (named graph, bytes), each checked to parse (errors as file:line): a
        consistent copy for processes that load it themselves (the server's workers)."""
        taken = []
        for path in self.files:
            try:
                data = path.read_bytes()
            except OSError as err:
                raise DataFileError(f"{path}: {err.strerror}") from None
            for _ in parse_turtle(path, data):
                pass  # parsed only to check it: the workers load the bytes themselves
            taken.append((self.graph_name(path).value, data))
        return taken


def data_source(source: DataSource | Path | str | None = None, ontology_dir: Path | str | None = None) -> DataSource:
    """``source`` itself, or the data source of a graph directory (and ontology directory)."""
    return source if isinstance(source, DataSource) else DataSource(source, ontology_dir)


def turtle_files(graph_dir: Path, ontology_dir: Path) -> list[Path]:
    """The ontology and graph Turtle files, in a stable order. Missing directories are an error."""
    import stat

    files: list[Path] = []
    for directory in (ontology_dir, graph_dir):
        require_directory(directory)
        for path in sorted(directory.glob("*.ttl")):
            # A link loop or a FIFO named *.ttl would otherwise fail deep in a parser, or block it.
            if not stat.S_ISREG(_stat(path, "no such file (a dangling link?)").st_mode):
                raise DataFileError(f"{path}: not a regular file")
            files.append(path)
    if not any(f.parent == graph_dir for f in files):
        raise DataFileError(f"{graph_dir}: no .ttl files")
    return files


def require_directory(directory: Path) -> Path:
    """The directory, which must exist and be one (else a one-line DataFileError naming it)."""
    import stat

    if not stat.S_ISDIR(_stat(directory, "no such directory").st_mode):
        raise DataFileError(f"{directory}: not a directory")
    return directory


def _stat(path: Path, missing: str) -> os.stat_result:
    """``os.stat`` (following links), its failure as a one-line DataFileError."""
    try:
        return path.stat()
    except FileNotFoundError:
        raise DataFileError(f"{path}: {missing}") from None
    except OSError as err:
        raise DataFileError(f"{path}: {err.strerror}") from None


def graph_name(path: Path, ontology_dir: Path) -> ox.NamedNode:
    """The named graph a file loads into: the source document it holds statements from, else its own."""
    if path.parent == ontology_dir:
        return ox.NamedNode(f"{GRAPH_NS}ontology/{path.stem}")
    if path.stem in ("actors", "sources"):
        return ox.NamedNode(f"{GRAPH_NS}{path.stem}")
    return ox.NamedNode(f"{ID}doc-{path.stem}")


# A SPARQL condition on ``?g`` true for the named graphs ``graph_name`` gives, and for no other: a
# shared store may hold graphs of its own (Virtuoso's system graphs), and push's staging graphs.
OUR_GRAPHS = f'(STRSTARTS(STR(?g), "{GRAPH_NS}") || STRSTARTS(STR(?g), "{ID}doc-"))'


def file_digests(files: Iterable[Path]) -> dict[str, str]:
    """Each file's content hash, by its resolved path.

    A file whose size, modification time, change time and inode are those recorded with an earlier hash
    (``digests.txt`` in the cache directory) keeps that hash without being read again: any write to a
    file changes its change time, so a changed file is always read (git trusts a file's times the same
    way). Reading 480 MB of Turtle took 1.3 s of every command at a million statements. A file written
    less than two seconds before it is hashed is not recorded, since a second write within the clock's
    resolution could leave the same times.
    """
    import hashlib
    import time

    known = _recorded_digests()
    digests: dict[str, str] = {}
    fresh: dict[str, tuple[str, str]] = {}
    now = time.time_ns()
    for path in files:
        name = str(path.resolve())
        try:
            info = path.stat()
        except OSError as err:
            raise DataFileError(f"{path}: {err.strerror}") from None
        stamp = f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"
        entry = known.get(name)
        if entry is not None and entry[0] == stamp:
            digests[name] = entry[1]
            continue
        digest = hashlib.blake2b(digest_size=16)
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as err:
            raise DataFileError(f"{path}: {err.strerror}") from None
        digests[name] = digest.hexdigest()
        if now - max(info.st_mtime_ns, info.st_ctime_ns) > 2_000_000_000:
            fresh[name] = (stamp, digests[name])
    if fresh:
        _record_digests({**known, **fresh})
    return digests


_DIGESTS_FILE = "digests.txt"
_DIGESTS_KEPT = 20_000  # files remembered (the most recently recorded first)


def _recorded_digests() -> dict[str, tuple[str, str]]:
    """The recorded hashes: resolved path -> (its size and times, its hash)."""
    try:
        text = (paths.cache_dir() / _DIGESTS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found = {}
    for line in text.splitlines():
        parts = line.split(" ", 5)  # size mtime ctime inode hash path (the path may hold spaces)
        if len(parts) == 6:
            found[parts[5]] = (" ".join(parts[:4]), parts[4])
    return found


def _record_digests(entries: Mapping[str, tuple[str, str]]) -> None:
    """Write the recorded hashes whole, atomically; nothing is lost but the speed-up if it fails."""
    kept = list(entries.items())[-_DIGESTS_KEPT:]
    text = "".join(f"{stamp} {digest} {name}\n" for name, (stamp, digest) in kept if "\n" not in name)
    paths.write_cache_file(paths.cache_dir() / _DIGESTS_FILE, text)


def fingerprint(files: Iterable[Path], digests: Mapping[str, str] | None = None) -> str:
    """A hash of the files' names and contents: a changed byte gives a new fingerprint. ``digests``:
    the files' ``file_digests``, when the caller has them."""
    import hashlib

    files = list(files)
    digests = file_digests(files) if digests is None else digests
    combined = hashlib.blake2b(digest_size=16)
    for path in files:
        name = str(path.resolve())
        combined.update(name.encode() + b"\0" + digests[name].encode() + b"\0")
    return combined.hexdigest()


def parse_error(path: Path, err: Exception) -> ParseError:
    """A pyoxigraph parser error as file:line plus the parser's own words."""
    text = str(err)
    match = _LINE_RE.search(text)
    message = re.sub(r"\s*\([^()]*, line \d+\)\s*$", "", text)
    message = re.sub(r"^Parser error (between|at) [^:]*: ", "", message)
    return ParseError(str(path), int(match.group(1)) if match else None, message)


def parse_turtle(path: Path, data: bytes | None = None, *, shown: Callable[[Path], str] = str) -> Iterator[ox.Quad]:
    """The quads of one Turtle file (or of ``data``, its bytes) as written, as the parser reads them (none
    held); a syntax error, raised where the parser meets it, as file:line."""
    try:
        source = {"path": str(path)} if data is None else {"input": data}
        yield from ox.parse(**source, format=ox.RdfFormat.TURTLE)
    except SyntaxError as err:
        raise parse_error(Path(shown(path)), err) from None
    except (OSError, ValueError) as err:
        raise DataFileError(f"{shown(path)}: {err}") from None


def load_file(store: ox.Store, path: Path, ontology_dir: Path, data: bytes | None = None, *,
              bulk: bool = False) -> None:
    """Parse one Turtle file (or ``data``, the text to read in its place) into its named graph of
    ``store``; a syntax error as file:line."""
    try:
        loader = store.bulk_load if bulk else store.load
        source = {"path": str(path)} if data is None else {"input": data}
        loader(**source, format=ox.RdfFormat.TURTLE, to_graph=graph_name(path, ontology_dir))
    except SyntaxError as err:
        raise parse_error(path, err) from None
    except OSError as err:
        raise DataFileError(f"{path}: {err.strerror or err}") from None


def load_files(store: ox.Store, files: list[Path], ontology_dir: Path, *, bulk: bool = False) -> None:
    """Parse each Turtle file into its named graph, reporting the first syntax error as file:line."""
    for path in files:
        load_file(store, path, ontology_dir, bulk=bulk)


# Below this many bytes of Turtle, parsing into memory beats opening an on-disk store.
DISK_CACHE_THRESHOLD = 4 * 1024 * 1024
# A command that reads most of the graph (every statement's evidence, a whole listing) parses it into
# memory up to this size even when the compiled store exists: RocksDB decodes each term more slowly than
# the parse costs (docs/speed.md); above it the parse itself would take too long, and too much memory.
READ_ALL_IN_MEMORY_MAX = 64 * 1024 * 1024


class LocalStore(Store):
    """An Oxigraph store built from the Turtle files.

    Small graphs are parsed into memory on each start (milliseconds). Large ones are compiled once into
    an on-disk store under the cache directory, named by the fingerprint of the files, so any change to
    any file builds a new store: a stale cache cannot answer. The first run on new files does not wait
    for that: it parses them into memory and leaves the compiling to a background process, which later
    runs find done. ``key`` is the fingerprint whenever there is a cache directory for these files (then
    ``sidecar`` gives files beside it); ``on_disk`` says which store answers.
    """

    def __init__(self, store: ox.Store, files: list[Path], key: str | None, on_disk: bool | None = None,
                 source: DataSource | None = None):
        self._store = store
        self.files = files
        self.key = key
        self.on_disk = key is not None if on_disk is None else on_disk
        self.source = source  # the files' directories and hashes (the network's structure reads them)

    @property
    def description(self) -> str:
        return f"{len(self.files)} Turtle files"

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def sidecar(self, name: str) -> Path | None:
        # Beside the compiled store, under its fingerprint: new data is a new directory.
        return None if self.key is None else _store_dir(self.key) / name

    @classmethod
    def open(cls, source: DataSource | Path | str | None = None, ontology_dir: Path | str | None = None, *,
             cache: bool | None = None, reads: str = "part") -> LocalStore:
        """The store of a data source (or of a graph directory and an ontology directory). ``reads`` is
        what the command reads: "part" (what a few entities or statements touch) or "all" (every
        statement: a whole listing or export), which parses a mid-sized graph into memory even when its
        compiled store exists."""
        source = data_source(source, ontology_dir)
        files = source.files
        forced = cache
        if cache is None:
            mode = os.environ.get(paths.ENV_STORE_CACHE, "auto")
            if mode not in ("auto", "always", "never"):
                raise DataFileError(f"{paths.ENV_STORE_CACHE} must be auto, always or never, not {mode!r}")
            forced = {"always": True, "never": False}.get(mode)
        size = sum(f.stat().st_size for f in files) if forced is None else 0
        if forced is False or (forced is None and size < DISK_CACHE_THRESHOLD):
            return cls(_parsed(source), files, None, source=source)
        key = source.fingerprint
        compiled = (_store_dir(key) / "COMPLETE").exists()
        if forced or (compiled and not (reads == "all" and size < READ_ALL_IN_MEMORY_MAX)):
            return cls(_open_cached(source), files, key, source=source)
        if not compiled and _nearest(source) is not None:
            # A few files changed since a compiled store: applying the change takes a moment.
            return cls(_open_cached(source), files, key, source=source)
        if not compiled:
            _compile_in_background(source)
        return cls(_parsed(source), files, key, on_disk=False, source=source)

    # Endpoints a query may call with SERVICE (``actorgraph sparql --allow-service``); none by default.
    allowed_services: frozenset[str] = frozenset()

    def _run(self, query, bindings):
        from . import guard

        guard.check(query, self.allowed_services, PREFIXES)  # before Oxigraph sees the text: see guard.py
        try:
            return self._store.query(bind_values(query, bindings), prefixes=PREFIXES,
                                     use_default_graph_as_union=True)
        except SyntaxError as err:
            raise QueryError(f"bad SPARQL: {one_line(str(err))}") from None
        except OSError as err:
            raise QueryError(f"query failed: {one_line(str(err))}") from None


def compile_store(source: DataSource | Path | str | None = None, ontology_dir: Path | str | None = None) -> Path:
    """The directory of the on-disk store compiled from the Turtle files, built atomically if missing.

    The SPARQL server's workers open it read-only, so a server and the CLI share one compiled copy.
    """
    return _compiled(data_source(source, ontology_dir))


def _parsed(source: DataSource) -> ox.Store:
    store = ox.Store()
    source.load_into(store)
    return store


def _open_cached(source: DataSource) -> ox.Store:
    return ox.Store.read_only(str(_compiled(source)))


def _store_dir(key: str) -> Path:
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
    target = _store_dir(key)
    root = target.parent
    if not (target / "COMPLETE").exists():
        lock = _lock(key, wait=True)
        try:
            if not (target / "COMPLETE").exists():  # another process may have built it meanwhile
                root.mkdir(parents=True, exist_ok=True)
                building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
                try:
                    base = _nearest(source)
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


def _nearest(source: DataSource) -> Path | None:
    """A compiled store (its directory) of other files that differ from the source's in at most
    ``APPLY_CHANGES_MAX_SHARE`` of their bytes, the closest; None when there is none."""
    key, digests = source.fingerprint, source.digests
    root = _store_dir(key).parent
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


def _compile_in_background(source: DataSource) -> None:
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
    code = "import os, sys; os.nice(10); from actorgraph.store import compile_detached; compile_detached(sys.argv[1:])"
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


# ----------------------------------------------------------------------------------------------
# Remote endpoint
# ----------------------------------------------------------------------------------------------

VALUES_MARKER = "#@values"


def values_block(bindings: Mapping[str, Term | Sequence[Term]]) -> str:
    """A VALUES block of serialised terms (they serialise themselves, with N-Triples escaping): one row,
    or, where values are lists (all of one length), one row per position, a single term repeated."""
    names = sorted(bindings)
    head = " ".join(f"?{n}" for n in names)
    lists = {len(v) for v in bindings.values() if isinstance(v, list | tuple)}
    if len(lists) > 1:
        raise QueryError("bound lists of values must all be of one length")
    count = lists.pop() if lists else None
    if count is None:
        rows = [[bindings[n] for n in names]]
    else:
        rows = [[v[i] if isinstance(v, list | tuple) else v for v in (bindings[n] for n in names)]
                for i in range(count)]
    body = " ".join(f"({' '.join(str(term) for term in row)})" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def bind_values(query: str, bindings: Mapping[str, Term]) -> str:
    """The query with its bindings as a VALUES block on each line that is ``#@values`` alone.

    A query that takes values says where they go; one that does not is refused rather than left
    unbound. The terms serialise themselves, escaped.
    """
    if not bindings:
        return query
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"bad parameter name {name!r}")
    lines = query.split("\n")
    places = [i for i, line in enumerate(lines) if line.strip() == VALUES_MARKER]
    if not places:
        raise QueryError(f"the query takes bound values ({', '.join(sorted(bindings))}) but has no line "
                         f"'{VALUES_MARKER}' to say where they go")
    block = values_block(bindings)
    for i in places:
        lines[i] = lines[i].replace(VALUES_MARKER, block)
    return "\n".join(lines)


def prologue() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def open_store(source: DataSource | None = None, endpoint: str | None = None, reads: str = "part") -> Store:
    """The store the CLI and library use: the endpoint if one is given (flag or environment), else the
    data source's (by default, the project's graph; ``reads``: see ``LocalStore.open``)."""
    endpoint = endpoint or os.environ.get(paths.ENV_ENDPOINT)
    if endpoint:
        from .remote import RemoteStore

        return RemoteStore(endpoint)
    return LocalStore.open(source, reads=reads)
