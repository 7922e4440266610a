"""Source documents: storing a new text and writing its document node (``actorgraph add-source``), and
reading the graph's files as they stand, for ``add-source`` and ``add`` to check against.

A source named ``NAME`` is, everywhere:

* its text, byte for byte, in ``graph/sources/NAME.txt``;
* its document node ``agid:doc-NAME`` in ``graph/sources.ttl``, with the text's SHA-256, its title, its
  publication date with its precision, and what is not known about it (``ag:unknown``);
* its own reporting party ``agid:doc-NAME-reporting`` (what a review sheet calls ``reporting``): the
  unnamed voice of the document, to which its plain statements of fact are attributed;
* its statements, written by ``actorgraph add``, in ``graph/NAME.ttl`` (the file the store loads into
  the named graph ``agid:doc-NAME``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import files, turtle
from .dates import parse_date
from .errors import DataFileError, UsageError
from .store import ID, ONT, PREFIXES, DataSource, data_source, load_file, parse_error, require_directory, turtle_files

SOURCES_FILE = "sources.ttl"
ACTORS_FILE = "actors.ttl"
TEXT_DIR = "sources"
RESERVED = {"actors", "sources"}  # file stems with a named graph of their own (see store.graph_name)
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens: 'Élmer Canales' -> 'elmer-canales'."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", bare.lower())
    name = ""
    for word in words:
        if len(name) + len(word) + 1 > limit and name:
            break
        name = f"{name}-{word}" if name else word
    return name


def reporting_iri(name: str) -> str:
    return f"{ID}doc-{name}-reporting"


def document_iri(name: str) -> str:
    return f"{ID}doc-{name}"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------------------------
# The graph as its files stand (optionally with some files replaced), in an in-memory store
# ----------------------------------------------------------------------------------------------


@dataclass
class Entity:
    """An entity of the graph as ``add`` needs it: its names (label first) and its classes."""

    iri: str
    label: str
    names: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)


class WorkingGraph:
    """The ontology and the graph's Turtle files (of a ``DataSource``), parsed into one in-memory store.
    ``replace`` maps a file of the graph to the text to read instead (or None to leave it out): the graph
    as it will be without a source's own earlier output."""

    def __init__(self, source: DataSource, replace: dict[Path, str | None] | None = None):
        from .kg import KnowledgeGraph
        from .store import LocalStore

        replace = replace or {}
        self.graph_dir, self.ontology_dir = graph_dir, ontology_dir = source.graph_dir, source.ontology_dir
        store = ox.Store()
        files = []
        for path in _graph_files(graph_dir, ontology_dir):
            text = replace.get(path, ...)
            if text is None:
                continue
            load_file(store, path, ontology_dir, None if text is ... else text.encode("utf-8"))
            files.append(path)
        self.store = store
        self.kg = KnowledgeGraph(LocalStore(store, files, None), graph_dir)

    def rows(self, query: str, **bindings: str) -> list[dict]:
        terms = {k: ox.NamedNode(v) for k, v in bindings.items()}
        return self.kg.rows(query, terms)

    def entities(self) -> dict[str, Entity]:
        """Every entity (anything typed with a subclass of ag:Entity), with its names and classes."""
        found: dict[str, Entity] = {}
        for row in self.rows("""
            SELECT ?e ?type ?label ?name ?kind WHERE {
              ?e a ?type . ?type rdfs:subClassOf* ag:Entity .
              OPTIONAL { ?e rdfs:label ?label FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }
              OPTIONAL { { ?e rdfs:label ?name BIND(0 AS ?kind) } UNION { ?e skos:altLabel ?name BIND(1 AS ?kind) } }
            } ORDER BY ?e ?kind ?name"""):
            entity = found.setdefault(row["e"], Entity(row["e"], row["label"] or row["e"].rsplit("/", 1)[-1]))
            if row["type"].startswith(ONT):
                entity.types.add(row["type"])
            if row["name"] and row["name"] not in entity.names:
                entity.names.append(row["name"])
        for entity in found.values():
            if entity.label in entity.names:  # the English label first
                entity.names.remove(entity.label)
            entity.names.insert(0, entity.label)
        return found

    def distinct_pairs(self) -> set[frozenset[str]]:
        rows = self.rows("SELECT ?a ?b WHERE { ?a owl:differentFrom ?b }")
        return {frozenset((r["a"], r["b"])) for r in rows}

    def used(self) -> set[str]:
        """Every IRI used as a subject or an object anywhere."""
        rows = self.rows("SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) }")
        return {r["x"] for r in rows}

    def has_triple(self, subject: str, predicate: str, obj: str) -> bool:
        """Whether some file of the graph states the triple (of IRIs)."""
        pattern = (ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(obj), None)
        return next(iter(self.store.quads_for_pattern(*pattern)), None) is not None

    def lineage(self, cls: str) -> set[str]:
        """The class and its superclasses."""
        return set(self.kg.vocabulary.ancestors(cls)) | {cls}


def _graph_files(graph_dir: Path, ontology_dir: Path) -> list[Path]:
    try:
        return turtle_files(graph_dir, ontology_dir)
    except DataFileError:
        if ontology_dir.is_dir() and graph_dir.is_dir():  # a graph with no Turtle yet
            return sorted(ontology_dir.glob("*.ttl"))
        raise


# ----------------------------------------------------------------------------------------------
# add-source
# ----------------------------------------------------------------------------------------------


@dataclass
class SourceAdded:
    """What ``add_source`` wrote."""

    name: str
    document: str
    reporting: str
    text_file: Path
    sources_file: Path
    sha256: str
    characters: int
    new_entities: list[str]
    unknown: list[str]


def add_source(
    text_path: str | Path,
    *,
    title: str,
    published: str | None = None,
    published_basis: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    url: str | None = None,
    language: str | None = None,
    name: str | None = None,
    graph_dir: DataSource | str | Path | None = None,
    ontology_dir: str | Path | None = None,
    graph: WorkingGraph | None = None,
) -> SourceAdded:
    """Store a new source text under ``graph/sources/`` and write its document node and reporting party
    to ``graph/sources.ttl``. Everything is checked before anything is written. ``graph_dir`` may be the
    command's ``DataSource``; ``graph`` is its working graph when the caller has parsed it already."""
    source = data_source(graph_dir, ontology_dir)
    gdir = require_directory(source.graph_dir)
    data, text = _read_text(Path(text_path))
    name = name or slug(Path(text_path).stem)
    _check_name(name)
    title = " ".join((title or "").split())
    if not title:
        raise UsageError("--title must not be empty")
    try:
        date = parse_date(published) if published else None
    except UsageError as err:
        raise UsageError(f"--published: {err}") from None
    if published_basis is not None and not published_basis.strip():
        raise UsageError("--published-basis must not be empty")
    if published_basis and date is None:
        raise UsageError("--published-basis needs --published: the date it explains")
    if url is not None:
        _check_url(url)
    if language is not None and not _LANGUAGE.match(language):
        raise UsageError(f"--language must be a language tag such as en or es-SV, not {language!r}")

    text_dir = gdir / TEXT_DIR
    stored = text_dir / f"{name}.txt"
    sources_file = gdir / SOURCES_FILE
    for taken in (stored, gdir / f"{name}.ttl"):
        if taken.exists() or taken.is_symlink():
            raise UsageError(f"the name {name!r} is taken: {taken} exists (choose another with --name)")
    digest = sha256_of(data)
    graph = graph or WorkingGraph(source)
    _check_not_stored(graph, gdir, digest)
    doc, reporting = document_iri(name), reporting_iri(name)
    used = graph.used()
    for iri in (doc, reporting):
        if iri in used:
            raise UsageError(f"the name {name!r} is taken: agid:{iri.removeprefix(ID)} is already in the graph "
                             "(choose another with --name)")
    documents = graph.rows("SELECT ?d ?title WHERE { ?d a ag:SourceDocument ; rdfs:label ?title }")
    from .names import fold

    for row in documents:
        if fold(row["title"]) == fold(title):
            raise UsageError(f"a source document is already titled {title!r}: agid:{row['d'].removeprefix(ID)}")

    entities = graph.entities()
    new_entities: list[tuple[str, str, str, str]] = []  # iri, class, label, comment
    links = []
    unknown = []
    for option, value, cls, prop in (("--outlet", outlet, "MediaOutlet", "dct:publisher"),
                                     ("--author", author, "Person", "dct:creator")):
        if value is None:
            unknown.append(option.removeprefix("--"))
            continue
        iri = _party(graph, entities, option, value, cls, title, new_entities, used)
        links.append(f"{prop} agid:{iri.removeprefix(ID)}")
    if url is None:
        unknown.append("URL")
    if language is None:
        unknown.append("language")
    if date is None:
        unknown.append("publication date")

    reporting_label = f"the article's own reporting ({title})"
    distinct = _reporting_distinct(graph, entities, reporting, reporting_label, new_entities)
    block = _document_block(name, title, digest, date, published_basis, language, url, links, unknown,
                            reporting_label, new_entities, distinct)
    files.check_target(sources_file)
    old = read_graph_file(sources_file) if sources_file.exists() else _SOURCES_HEAD
    needed = turtle.used_prefixes(block)
    head = turtle.prefix_lines(needed, turtle.declared_prefixes(old))
    new_text = old.rstrip("\n") + "\n\n" + head + block
    _check_parses(new_text, sources_file)

    text_dir.mkdir(exist_ok=True)
    files.write_files({stored: data, sources_file: new_text})
    return SourceAdded(name, doc, reporting, stored, sources_file, digest, len(text),
                       [iri for iri, *_ in new_entities], unknown)


_SOURCES_HEAD = "# Source documents: what we know about each stored text, and what we do not.\n"


def read_graph_file(path: Path) -> str:
    """A Turtle file of the graph, exactly as written (its line ends kept), for rewriting a part of it."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataFileError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise DataFileError(f"{path}: cannot read ({err.strerror})") from None


def _read_text(path: Path) -> tuple[bytes, str]:
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if not path.is_file():
        raise DataFileError(f"{path}: not a regular file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataFileError(f"{path}: cannot read ({err.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataFileError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start}); "
                            "convert it first, e.g. with iconv") from None
    if "\x00" in text:
        raise DataFileError(f"{path}: not a text file (it holds NUL bytes)")
    if not text.strip():
        raise DataFileError(f"{path}: the text is empty")
    return data, text


def _check_name(name: str) -> None:
    if not name or not _NAME.match(name):
        raise UsageError(f"bad source name {name!r}: use lower-case letters, digits and single hyphens "
                         "(--name article-2025-03)")
    if name in RESERVED:
        raise UsageError(f"the name {name!r} is reserved for graph/{name}.ttl; choose another with --name")
    if name.endswith("-reporting") or name.startswith("doc-"):
        raise UsageError(f"bad source name {name!r}: it may not start with doc- or end with -reporting")


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise UsageError(f"--url must be an http(s) address, not {url!r}")


def _check_not_stored(graph: WorkingGraph, gdir: Path, digest: str) -> None:
    """The same bytes must not be stored twice, under any name."""
    for row in graph.rows("SELECT ?d ?sha WHERE { ?d ag:sha256 ?sha }"):
        if row["sha"] == digest:
            raise UsageError(f"this text is already in the graph as agid:{row['d'].removeprefix(ID)} "
                             "(same SHA-256)")
    text_dir = gdir / TEXT_DIR
    if text_dir.is_dir():
        for path in sorted(text_dir.iterdir()):
            if path.is_file() and not path.is_symlink() and sha256_of(path.read_bytes()) == digest:
                raise UsageError(f"this text is already stored as {path} (same SHA-256)")


def _party(graph: WorkingGraph, entities: dict, option: str, value: str, cls: str, title: str,
           new_entities: list, used: set[str]) -> str:
    """The entity an --outlet or --author names: an existing one by its exact name, else a new one."""
    from .duplicates import Named, find_duplicates
    from .names import fold

    value = " ".join(value.split())
    if not value:
        raise UsageError(f"{option} must not be empty")
    exact = sorted(e.iri for e in entities.values() if fold(value) in {fold(n) for n in e.names})
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise UsageError(f"{option} {value!r} names several entities: "
                         + ", ".join(f"agid:{i.removeprefix(ID)}" for i in exact))
    iri = ID + slug(value)
    if iri in used or iri in entities:
        raise UsageError(f"{option} {value!r}: agid:{iri.removeprefix(ID)} is already in the graph "
                         "under another name")
    candidate = Named(iri, (value,), frozenset({ONT + cls}))
    existing = [Named(e.iri, tuple(e.names), frozenset(e.types)) for e in entities.values()]
    close = find_duplicates([*existing, candidate], graph.lineage, graph.distinct_pairs(), among={iri})
    if close:
        other = next(d.first if d.second == iri else d.second for d in close)
        raise UsageError(f"{option} {value!r} is probably {entities[other].label} (agid:{other.removeprefix(ID)}): "
                         f"{close[0].reason()}; give that name to use it")
    role = "outlet" if cls == "MediaOutlet" else "author"
    new_entities.append((iri, cls, value, f"The {role} of “{title}”."))
    return iri


def _reporting_distinct(graph: WorkingGraph, entities: dict, reporting: str, label: str,
                        new_entities: list) -> list[str]:
    """Entities whose names come close to the new reporting party's: it is a new node, so it is none of
    them, and saying so keeps ``validate`` from asking."""
    from .duplicates import Named, find_duplicates

    existing = [Named(e.iri, tuple(e.names), frozenset(e.types)) for e in entities.values()]
    others = [Named(i, (lbl,), frozenset({ONT + c})) for i, c, lbl, _ in new_entities]
    candidate = Named(reporting, (label,), frozenset({ONT + "Actor"}))
    close = find_duplicates([*existing, *others, candidate], graph.lineage, None, among={reporting})
    return sorted({d.first if d.second == reporting else d.second for d in close})


def _document_block(name, title, digest, date, basis, language, url, links, unknown, reporting_label,
                    new_entities, distinct) -> str:
    lit = turtle.literal
    note = f"Stands for the author and outlet of agid:doc-{name}, as far as the text speaks for itself."
    lines = [
        f"# -- {title} (graph/{TEXT_DIR}/{name}.txt) " + "-" * max(3, 60 - len(title) - len(name)),
        "",
        f"agid:doc-{name} a ag:SourceDocument ;",
        f"    rdfs:label {lit(title)} ;",
        f"    dct:title {lit(title)} ;",
    ]
    if language:
        lines.append(f"    dct:language {lit(language)} ;")
    lines += [f"    ag:textFile {lit(f'{TEXT_DIR}/{name}.txt')} ;", f"    ag:sha256 {lit(digest)} ;"]
    lines += [f"    {link} ;" for link in links]
    if url:
        lines.append(f"    schema:url {lit(url)}^^xsd:anyURI ;")
    if unknown:
        lines.append("    ag:unknown " + ", ".join(lit(u) for u in unknown) + " ;")
    if date is not None:
        lines.append(f"    ag:publicationDate {turtle.date_node(date, bool(basis), basis)} ;")
    lines[-1] = lines[-1][:-2] + " ."
    lines += [
        "",
        "# The party behind the document's own reporting; what a review sheet calls `reporting`.",
        f"agid:doc-{name}-reporting a ag:Actor ;",
        f"    rdfs:label {lit(reporting_label)} ;",
        f"    ag:note {lit(note)}" + (" ;" if distinct else " ."),
    ]
    if distinct:
        lines.append("    owl:differentFrom " + ", ".join(f"agid:{d.removeprefix(ID)}" for d in distinct) + " .")
    for iri, cls, label, comment in new_entities:
        lines += ["", f"agid:{iri.removeprefix(ID)} a ag:{cls} ;", f"    rdfs:label {lit(label)} ;",
                  f"    rdfs:comment {lit(comment)} ."]
    return "\n".join(lines) + "\n"


def _check_parses(text: str, path: Path) -> None:
    """A last guard: what is about to be written must parse."""
    try:
        list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as err:  # a bug here, never the user's input: literals are escaped
        raise parse_error(path, err) from None


# ----------------------------------------------------------------------------------------------
# Finding a source's document
# ----------------------------------------------------------------------------------------------


@dataclass
class Document:
    """A source document node, and the stored text it points at."""

    iri: str
    name: str  # the part after doc-: graph/NAME.ttl holds its statements
    text_file: str
    sha256: str
    reporting: str


def find_document(graph: WorkingGraph, doc_id: str) -> Document | None:
    """The document ``doc-NAME`` (with or without ``agid:``), or None."""
    local = doc_id.removeprefix("agid:").removeprefix(ID)
    iri = ID + local
    rows = graph.rows("""
        SELECT ?file ?sha WHERE {
          #@values
          ?doc a ag:SourceDocument . OPTIONAL { ?doc ag:textFile ?file } OPTIONAL { ?doc ag:sha256 ?sha } }""",
        doc=iri)
    if not rows:
        return None
    name = local.removeprefix("doc-")
    return Document(iri, name, rows[0]["file"] or "", rows[0]["sha"] or "", reporting_iri(name))


__all__ = ["PREFIXES", "SourceAdded", "WorkingGraph", "add_source", "find_document", "slug"]
