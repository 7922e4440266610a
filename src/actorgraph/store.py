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
        if self.key is None:
            return None
        from .compiled import store_dir

        return store_dir(self.key) / name

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
        from .compiled import compile_in_background, nearest, open_compiled, store_dir

        key = source.fingerprint
        compiled = (store_dir(key) / "COMPLETE").exists()
        if forced or (compiled and not (reads == "all" and size < READ_ALL_IN_MEMORY_MAX)):
            return cls(open_compiled(source), files, key, source=source)
        if not compiled and nearest(source) is not None:
            # A few files changed since a compiled store: applying the change takes a moment.
            return cls(open_compiled(source), files, key, source=source)
        if not compiled:
            compile_in_background(source)
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


def _parsed(source: DataSource) -> ox.Store:
    store = ox.Store()
    source.load_into(store)
    return store


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
