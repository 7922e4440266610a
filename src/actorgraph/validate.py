"""Validation: the SHACL shapes in ``ontology/shapes.ttl`` plus the checks no shape can express.

``validate(graph_dir, ontology_dir)`` parses the Turtle with the same parser the store uses (so a file
that validates is a file that loads), runs pySHACL on an rdflib copy without inference, and then checks:

* every quote appears verbatim in its source document's stored text, exactly once and with at least
  three words (so that it points at one sentence), and that text matches its SHA-256;
* no Turtle file is empty (a 0-byte or truncated file would otherwise only lose data silently);
* every direct triple of a relationship type has a statement node, and every statement its direct triple;
* every statement's subject and object belong to its relationship type's domain and range;
* every ``agid:`` identifier that is used is described (has a type), and no ``ag:`` term (nor a term of
  a well-known vocabulary such as RDFS or SKOS) is used that its vocabulary does not define;
* a statement's start date is not after its end date;
* every identifier in another dataset (a sub-property of ``ag:externalIdentifier``) has the form its
  property declares (``ag:idPattern``) and an ``ag:IdentifierOrigin`` that records where it was found,
  whose excerpt gives it (verbatim in the stored text, when it was found in a source document).
* no two entities are probable duplicates (see ``duplicates``) unless declared distinct with
  ``owl:differentFrom``;
* every story under ``graph/stories/`` names only entities and relationships that exist, and its quotes
  are verbatim in their sources (``story.check_stories``).

Relationship types, domains and ranges are read from the ontology, never listed here. A malformed file
raises ``ParseError`` ("file:line: message"); everything else is returned as ``Violation``s in a
``Report``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from .dates import parse_date
from .errors import BadDateError, DataFileError, ParseError
from .store import ID, ONT, PREFIXES, DataSource, data_source
from .vocab import IdentifierScheme

if TYPE_CHECKING:
    import rdflib

SHAPES_FILE = "shapes.ttl"

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD_STRING = PREFIXES["xsd"] + "string"
RDF_TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"


@dataclass(frozen=True)
class Violation:
    """One broken rule: the node at fault, the property involved, and what is wrong."""

    focus: str
    path: str
    message: str
    value: str | None = None
    location: str | None = None  # file:line where the focus node is written, when it can be found
    # shacl | file | quote | source | evidence | domain | reference | date | link | duplicate | identifier | story
    check: str = "shacl"

    def line(self) -> str:
        """``focus  path  message`` (with the value and the file:line when known), for people."""
        text = self.message + (f": {self.value}" if self.value else "")
        where = f"  ({self.location})" if self.location else ""
        return f"{self.focus}  {self.path or '-'}  {text}{where}"


@dataclass
class Report:
    """What validation found, and how big the graph is."""

    violations: list[Violation] = field(default_factory=list)
    # Gaps that do not make the graph invalid, because a source may not say them: a government body,
    # court or prison without its country, an indictment or order without its issuer.
    warnings: list[Violation] = field(default_factory=list)
    statements: int = 0
    entities: int = 0
    figures: int = 0
    sources: int = 0
    triples: int = 0
    files: int = 0
    # Each source document with a text file, as rows of doc, label, file and quote (see
    # ``coverage.coverage_of``): sentence coverage from the files validation has parsed already.
    quoted: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        """The one-line summary: ``valid: 9 statements, 14 entities, ...; 123 triples``."""
        parts = [
            _count(self.statements, "statement"),
            _count(self.entities, "entity", "entities"),
            _count(self.figures, "figure"),
            _count(self.sources, "source document"),
        ]
        head = "valid" if self.conforms else f"{_count(len(self.violations), 'violation')} in"
        return f"{head}: {', '.join(parts)}; {_count(self.triples, 'triple')}"

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.conforms,
            "statements": self.statements,
            "entities": self.entities,
            "figures": self.figures,
            "source_documents": self.sources,
            "triples": self.triples,
            "files": self.files,
            "violations": [asdict(v) for v in self.violations],
            "warnings": [asdict(w) for w in self.warnings],
        }


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def compact(iri: str) -> str:
    """``agid:st-foo`` for an IRI in a known namespace, else ``<iri>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


# ----------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------


@dataclass
class _Loaded:
    graph: rdflib.Graph  # ontology and graph files, the data pySHACL validates
    shapes: rdflib.Graph
    ontology_defined: set[str]  # ag: terms with a type in the ontology files
    graph_triples: int
    files: dict[Path, str]  # every parsed file and its text, for locating nodes
    used: set[str]  # every IRI used in any file
    empty: list[Path]  # files that hold no triple


def _rdflib_term(term, scope: str):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(f"{scope}{term.value}")  # blank nodes are local to their file
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    # Keep the lexical form as written: rdflib would otherwise normalise "2021-07-01Z"^^xsd:date to
    # "2021-07-01", and the shapes' patterns would never see the time zone.
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def _load(source: DataSource) -> _Loaded:
    """Each file as the data source parses it (once), copied into rdflib graphs for pySHACL."""
    import rdflib

    files, graph_dir, ontology_dir = source.files, source.graph_dir, source.ontology_dir
    shapes_path = ontology_dir / SHAPES_FILE
    if shapes_path not in files:
        raise DataFileError(f"{_display(shapes_path)}: no such file (the SHACL shapes)")
    data, shapes = rdflib.Graph(), rdflib.Graph()
    defined: set[str] = set()
    used: set[str] = set()
    texts: dict[Path, str] = {}
    empty: list[Path] = []
    graph_triples = 0
    for index, (path, quads) in enumerate(source.parsed(shown=_display)):
        scope = f"f{index}x"  # blank nodes are local to their file
        is_shapes = path == shapes_path
        in_ontology = path.parent == ontology_dir and not is_shapes
        into = shapes if is_shapes else data
        count = 0
        for quad in quads:
            count += 1
            if isinstance(quad.object, ox.Triple) or isinstance(quad.subject, ox.Triple):
                raise ParseError(_display(path), None, "RDF 1.2 triple terms are not supported; "
                                 "give the claim a statement node (rdf:subject, rdf:predicate, rdf:object)")
            into.add((_rdflib_term(quad.subject, scope), _rdflib_term(quad.predicate, scope),
                      _rdflib_term(quad.object, scope)))
            if in_ontology and quad.predicate.value == RDF_TYPE and isinstance(quad.subject, ox.NamedNode):
                defined.add(quad.subject.value)
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode):
                    used.add(term.value)
        if path.parent == graph_dir:
            graph_triples += count
        if not count:
            empty.append(path)
        texts[path] = path.read_text(encoding="utf-8", errors="replace")
    return _Loaded(data, shapes, defined, graph_triples, texts, used, empty)


def _display(path: Path) -> str:
    """A path as people should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------------------------
# Where things are written, for file:line in messages
# ----------------------------------------------------------------------------------------------


class _Locator:
    """Finds the line where a node is written. Best effort: prefixed names as our files write them."""

    # A prefixed name; a trailing "." is the end of the Turtle statement, not part of the name.
    NAME = re.compile(r"(?<![\w:.-])([A-Za-z][\w-]*:(?:[\w-]|\.(?=[\w-]))*)")

    def __init__(self, files: dict[Path, str]):
        self.lines = {path: text.splitlines() for path, text in files.items()}
        # name -> file:line where it is defined ("name a ..."), starts a line, or first appears
        self.defined: dict[str, str] = {}
        self.starting: dict[str, str] = {}
        self.anywhere: dict[str, str] = {}
        for path, lines in self.lines.items():
            shown = _display(path)
            for number, line in enumerate(lines, 1):
                if line.lstrip().startswith("#"):
                    continue
                where = f"{shown}:{number}"
                for match in self.NAME.finditer(line):
                    name = match.group(1)
                    self.anywhere.setdefault(name, where)
                    if not line[: match.start()].strip():
                        self.starting.setdefault(name, where)
                        if re.match(r"\s+(a|rdf:type)\s", line[match.end():]):
                            self.defined.setdefault(name, where)

    def find(self, name: str, *rest: str) -> str | None:
        """file:line of ``name``: its definition (``name a ...``) first, else a line starting with it,
        else any line using it. With ``rest``, the first line holding ``name`` and then each of ``rest``.
        """
        if rest:
            tokens = [r"(?<![\w:.-])" + re.escape(n) + r"(?![\w-]|\.[\w-])" for n in (name, *rest)]
            pattern = re.compile(r"\s+".join(tokens))
            for path, lines in self.lines.items():
                for number, line in enumerate(lines, 1):
                    if not line.lstrip().startswith("#") and pattern.search(line):
                        return f"{_display(path)}:{number}"
            return None
        return self.defined.get(name) or self.starting.get(name) or self.anywhere.get(name)

    def find_after(self, anchor: str | None, needle: str) -> str | None:
        """The first line at or after ``anchor`` (file:line) in the same file containing ``needle``."""
        if not anchor:
            return None
        file, _, number = anchor.rpartition(":")
        for path, lines in self.lines.items():
            if _display(path) == file:
                for i in range(int(number) - 1, len(lines)):
                    if needle in lines[i]:
                        return f"{file}:{i + 1}"
        return anchor


# ----------------------------------------------------------------------------------------------
# The graph, read through plain dictionaries (fast, and independent of SPARQL engines)
# ----------------------------------------------------------------------------------------------


class _Index:
    def __init__(self, graph: rdflib.Graph):
        from rdflib import URIRef

        self.graph = graph
        self.URIRef = URIRef
        self.subclasses: dict[str, set[str]] = defaultdict(set)
        self.superclasses: dict[str, set[str]] = defaultdict(set)
        for sub, _, sup in graph.triples((None, URIRef(SUBCLASS), None)):
            self.subclasses[str(sup)].add(str(sub))
            self.superclasses[str(sub)].add(str(sup))
        self._above: dict[str, set[str]] = {}

    @staticmethod
    def _closure(cls: str, links: dict[str, set[str]]) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for other in links.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def below(self, cls: str) -> set[str]:
        """The class and all its subclasses (rdfs:subClassOf*)."""
        return self._closure(cls, self.subclasses)

    def above(self, cls: str) -> set[str]:
        """The class and all its superclasses (rdfs:subClassOf*), remembered: asked once per entity pair."""
        if cls not in self._above:
            self._above[cls] = self._closure(cls, self.superclasses)
        return self._above[cls]

    def instances(self, cls: str) -> set:
        """Nodes typed with the class or one of its subclasses."""
        found: set = set()
        rdf_type = self.URIRef(RDF_TYPE)
        for c in self.below(cls):
            found.update(self.graph.subjects(rdf_type, self.URIRef(c)))
        return found

    def types(self, node) -> set[str]:
        return {str(t) for t in self.graph.objects(node, self.URIRef(RDF_TYPE))}

    def values(self, node, prop: str) -> list:
        return list(self.graph.objects(node, self.URIRef(prop)))

    def one(self, node, prop: str):
        values = self.values(node, prop)
        return values[0] if len(values) == 1 else None


# ----------------------------------------------------------------------------------------------
# The checks
# ----------------------------------------------------------------------------------------------


def validate(graph_dir: DataSource | Path | str | None = None, ontology_dir: Path | str | None = None) -> Report:
    """Validate the graph in ``graph_dir`` (or a ``DataSource``) against the ontology and shapes in
    ``ontology_dir``."""
    source = data_source(graph_dir, ontology_dir)
    gdir = source.graph_dir
    # rdflib logs a traceback for each ill-typed literal it meets; the shapes report those properly.
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        loaded = _load(source)
        index = _Index(loaded.graph)
        locator = _Locator(loaded.files)
        shacl = list(_shacl(loaded, locator))
        violations = [
            *_empty_files(loaded),
            *(v for v in shacl if v.check == "shacl"),
            *_quotes(index, gdir, locator),
            *_evidence(index, locator),
            *_domains(index, locator),
            *_references(loaded, index, locator),
            *_date_order(index, locator),
            *_duplicates(index, locator),
            *_identifiers(index, gdir, locator),
            *_stories(gdir, index),
        ]
    finally:
        term_log.setLevel(level)
    unique = sorted(set(violations), key=_sort_key)
    return Report(
        violations=unique,
        warnings=sorted({v for v in shacl if v.check == "link"}, key=_sort_key),
        statements=len(index.instances(ONT + "Statement")),
        entities=len(index.instances(ONT + "Entity")),
        figures=len(index.instances(ONT + "Figure")),
        sources=len(index.instances(ONT + "SourceDocument")),
        triples=loaded.graph_triples,
        files=len(loaded.files),
        quoted=list(_quoted(index)),
    )


def _quoted(index: _Index) -> Iterator[dict[str, Any]]:
    """The rows ``coverage``'s query gives (a source document with its text file, its label and the quotes
    of what cites it, each optional), read from the parsed files."""
    from rdflib import RDF, URIRef

    for doc in index.graph.subjects(RDF.type, URIRef(ONT + "SourceDocument"), unique=True):
        quotes = [quote for statement in index.graph.subjects(URIRef(ONT + "source"), doc, unique=True)
                  for quote in index.values(statement, ONT + "quote")]
        for file in index.values(doc, ONT + "textFile"):
            for label in index.values(doc, RDFS + "label") or [None]:
                for quote in quotes or [None]:
                    yield {"doc": str(doc), "file": str(file), "label": None if label is None else str(label),
                           "quote": None if quote is None else str(quote)}


def _sort_key(v: Violation) -> tuple:
    file, _, line = (v.location or "~:0").rpartition(":")
    return (file, int(line) if line.isdigit() else 0, v.focus, v.path, v.message)


def _term_text(term) -> str:
    from rdflib import Literal

    if isinstance(term, Literal):
        text = '"' + str(term).replace("\\", "\\\\").replace('"', '\\"') + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{compact(str(term.datatype))}"
        return text
    return compact(str(term))


def _path_text(graph: rdflib.Graph, path) -> str:
    from rdflib import BNode, URIRef
    from rdflib.namespace import SH

    if isinstance(path, URIRef):
        return compact(str(path))
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + compact(str(inverse))
    return str(path)


def _shacl(loaded: _Loaded, locator: _Locator) -> Iterator[Violation]:
    """The shapes' results: violations (check "shacl") and warnings (check "link", see ``Report.warnings``)."""
    from pyshacl import validate as shacl_validate
    from rdflib import BNode, Literal
    from rdflib.namespace import SH

    _, results, _ = shacl_validate(
        loaded.graph, shacl_graph=loaded.shapes, inference="none", advanced=False, allow_warnings=True,
    )
    data = loaded.graph
    # A result under sh:detail explains another result (why a value failed its sh:node); report the outer one.
    details = set(results.objects(None, SH.detail))
    for result, severity in results.subject_objects(SH.resultSeverity):
        if result in details or severity not in (SH.Violation, SH.Warning):
            continue
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        path_text = _path_text(results, path) if path is not None else ""
        # A date is a blank node; name it by the statement or document that holds it.
        via: list[str] = []
        while isinstance(focus, BNode):
            holder = next(iter(data.subject_predicates(focus)), None)
            if holder is None:
                break
            focus, predicate = holder
            via.insert(0, compact(str(predicate)))
        path_text = "/".join([*via, path_text] if path_text else via)
        focus_text = _term_text(focus)
        location = locator.find(focus_text)
        for step in via:  # the line of the date itself, not of its statement
            location = locator.find_after(location, step)
        value_text = None
        if value is not None and value != results.value(result, SH.focusNode):
            value_text = _term_text(value)
            if isinstance(value, Literal):
                location = locator.find_after(location, '"' + str(value).split("\n")[0][:40]) or location
        check = "shacl" if severity == SH.Violation else "link"
        yield Violation(focus_text, path_text, str(message or "violates a shape"), value_text, location, check)


def _empty_files(loaded: _Loaded) -> Iterator[Violation]:
    for path in loaded.empty:
        shown = _display(path)
        yield Violation(shown, "-", "the file holds no triples (an empty or truncated file?)", None,
                        f"{shown}:1", "file")


# -- quotes and source texts ------------------------------------------------------------------

# A quote must point at one place in its source: it occurs there exactly once, and has at least this
# many words (runs of letters or digits), so that "a" or "the court" cannot pass for evidence.
MIN_QUOTE_WORDS = 3


_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _fold(text: str) -> str:
    """Text with quotation marks, dashes, spaces and Unicode form made uniform, for hints only."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(_FOLD))


def _matching_start(quote: str, text: str) -> int:
    """How many leading characters of ``quote`` occur in ``text`` (found by bisection)."""
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    return low


def _quotes(index: _Index, graph_dir: Path, locator: _Locator) -> Iterator[Violation]:
    texts: dict[Any, str | None] = {}
    root = graph_dir.resolve()
    for doc in sorted(index.instances(ONT + "SourceDocument"), key=str):
        name = compact(str(doc))
        where = locator.find(name)
        text_file = index.one(doc, ONT + "textFile")
        if text_file is None:
            texts[doc] = None  # the shapes report it
            continue
        try:
            target = (graph_dir / str(text_file)).resolve()
        except (OSError, RuntimeError):  # a loop of symbolic links (RuntimeError before Python 3.13)
            yield Violation(name, "ag:textFile", f"source text {text_file} cannot be read (a loop of symbolic "
                            f"links)", None, where, "source")
            texts[doc] = None
            continue
        if Path(str(text_file)).is_absolute() or not target.is_relative_to(root):
            yield Violation(name, "ag:textFile", "the text file must be inside the graph directory",
                            f'"{text_file}"', where, "source")
            texts[doc] = None
            continue
        try:
            raw = target.read_bytes()
        except OSError as err:
            reason = "no such file" if isinstance(err, FileNotFoundError) else err.strerror
            yield Violation(name, "ag:textFile", f"source text {text_file} cannot be read ({reason})",
                            None, where, "source")
            texts[doc] = None
            continue
        digest = hashlib.sha256(raw).hexdigest()
        expected = index.one(doc, ONT + "sha256")
        if expected is not None and str(expected) != digest:
            yield Violation(name, "ag:sha256", f"source text {text_file} has changed",
                            f"its SHA-256 is {digest}", where, "source")
        try:
            texts[doc] = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield Violation(name, "ag:textFile", f"source text {text_file} is not UTF-8 ({err.reason})",
                            None, where, "source")
            texts[doc] = None

    for statement in sorted(index.instances(ONT + "Statement"), key=str):
        quotes = index.values(statement, ONT + "quote")
        for doc in index.values(statement, ONT + "source"):
            text = texts.get(doc)
            if text is None:
                continue  # no text to check against; the document's own violation says why
            text_file = index.one(doc, ONT + "textFile")
            for quote in quotes:
                q = str(quote)
                if not q.strip():
                    continue  # the shapes report a blank quote
                name = compact(str(statement))
                where = locator.find_after(locator.find(name), '"' + q[:40])
                occurrences = text.count(q)
                if occurrences == 1:
                    words = len(re.findall(r"\w+", q))
                    if words < MIN_QUOTE_WORDS:
                        yield Violation(name, "ag:quote", f"quote too short to identify a sentence ({words} "
                                        f"word{'s' if words != 1 else ''}; at least {MIN_QUOTE_WORDS})",
                                        _short(q), where, "quote")
                    continue
                if occurrences > 1:
                    yield Violation(name, "ag:quote", f"quote occurs {occurrences} times in {text_file}; quote "
                                    f"enough of the sentence to point at one place", _short(q), where, "quote")
                    continue
                if _fold(q) in _fold(text):
                    why = "it differs only in quotation marks, dashes, spaces or Unicode form"
                else:
                    why = f"the source has only its first {_matching_start(q, text)} of {len(q)} characters"
                yield Violation(name, "ag:quote", f"quote not found verbatim in {text_file} ({why})",
                                _short(q), where, "quote")


def _short(text: str, limit: int = 80) -> str:
    text = text.replace("\n", " ")
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


# -- direct triples and their statements --------------------------------------------------------


def _relationship_types(index: _Index) -> set[str]:
    """The relationship types: the properties the ontology declares sub-properties of ag:relatedTo."""
    return {str(p) for p in index.graph.subjects(index.URIRef(RDFS + "subPropertyOf"), index.URIRef(ONT + "relatedTo"))}


def _evidence(index: _Index, locator: _Locator) -> Iterator[Violation]:
    relationships = _relationship_types(index)
    graph, ref = index.graph, index.URIRef
    claimed: set[tuple] = set()
    for statement in index.instances(ONT + "Statement"):
        s, p, o = (index.one(statement, RDF + x) for x in ("subject", "predicate", "object"))
        if s is None or p is None or o is None:
            continue  # the shapes report it
        claimed.add((s, p, o))
        if str(p) in relationships and (s, p, o) not in graph:
            name = compact(str(statement))
            yield Violation(
                name, "rdf:predicate",
                "the statement's triple is missing from the graph; add the direct triple",
                f"{compact(str(s))} {compact(str(p))} {compact(str(o))}", locator.find(name), "evidence")
    for p in sorted(relationships):
        for s, o in graph.subject_objects(ref(p)):
            if (s, ref(p), o) in claimed:
                continue
            subject, predicate, obj = _term_text(s), compact(p), _term_text(o)
            where = locator.find(subject, predicate, obj) or locator.find(subject)
            yield Violation(subject, predicate,
                            "direct triple has no statement node with its quote, source and status",
                            f"{subject} {predicate} {obj}", where, "evidence")


def _domains(index: _Index, locator: _Locator) -> Iterator[Violation]:
    """Each statement's subject and object must fit its relationship type's domain and range."""
    relationships = _relationship_types(index)
    allowed: dict[str, set[str]] = {}

    def fits(node, cls) -> bool:
        key = str(cls)
        if key not in allowed:
            allowed[key] = index.below(key)
        return bool(index.types(node) & allowed[key])

    for statement in index.instances(ONT + "Statement"):
        p = index.one(statement, RDF + "predicate")
        if p is None or str(p) not in relationships:
            continue
        for role, prop, bound in (("subject", RDF + "subject", RDFS + "domain"),
                                  ("object", RDF + "object", RDFS + "range")):
            node = index.one(statement, prop)
            for cls in index.values(p, bound):
                if node is not None and index.types(node) and not fits(node, cls):
                    name = compact(str(statement))
                    kinds = ", ".join(sorted(compact(t) for t in index.types(node)))
                    yield Violation(
                        name, f"rdf:{role}",
                        f"{compact(str(p))} needs a {compact(str(cls))} as its {role}, "
                        f"but {compact(str(node))} is {kinds}",
                        None, locator.find(name), "domain")


# -- identifiers and terms -------------------------------------------------------------------------


def _known_vocabularies() -> dict[str, Any]:
    """Well-known vocabularies whose terms rdflib knows, by namespace: a typo in them is caught."""
    from rdflib import namespace as ns

    known = (ns.DCTERMS, ns.FOAF, ns.ORG, ns.OWL, ns.PROV, ns.RDF, ns.RDFS, ns.SDO, ns.SH, ns.SKOS,
             ns.TIME, ns.XSD)
    return {str(vocabulary._NS): vocabulary for vocabulary in known}


def did_you_mean(iri: str, known: Iterable[str]) -> str:
    """``; did you mean agid:nayib-bukele?`` for the known IRI whose local name is nearest, or nothing."""
    from rapidfuzz import fuzz, process

    def local(name: str) -> str:
        return re.split(r"[#/]", name)[-1]

    choices = {local(k): k for k in sorted(known)}
    match = process.extractOne(local(iri), sorted(choices), scorer=fuzz.ratio, score_cutoff=75)
    return f"; did you mean {compact(choices[match[0]])}?" if match else ""


def _references(loaded: _Loaded, index: _Index, locator: _Locator) -> Iterator[Violation]:
    typed = {str(s) for s in loaded.graph.subjects(index.URIRef(RDF_TYPE), None)}
    described = {iri for iri in typed if iri.startswith(ID)}
    defined = {iri for iri in loaded.ontology_defined if iri.startswith(ONT)}
    vocabularies = _known_vocabularies()
    for iri in sorted(loaded.used):
        name = compact(iri)
        if iri.startswith(ID) and iri not in typed:
            yield Violation(name, "rdf:type",
                            "is used but never described (no rdf:type)" + did_you_mean(iri, described),
                            location=locator.find(name), check="reference")
        elif iri.startswith(ONT) and iri not in loaded.ontology_defined:
            hint = did_you_mean(iri, defined) or " (a typo, or a term to add there?)"
            yield Violation(name, "-", "is not defined in the ontology" + hint,
                            None, locator.find(name), "reference")
        else:
            for namespace, vocabulary in vocabularies.items():
                local = iri[len(namespace):]
                if iri.startswith(namespace) and local and re.fullmatch(r"[\w-]+", local):
                    if local not in vocabulary:
                        yield Violation(name, "-", f"is not a term of the vocabulary <{namespace}> (a typo?)",
                                        None, locator.find(name), "reference")
                    break


# -- stories ----------------------------------------------------------------------------------


def _stories(graph_dir: Path, index: _Index) -> list[Violation]:
    """The stories under graph/stories/ name only what exists, and quote their sources verbatim."""
    from .story import check_stories

    return check_stories(graph_dir, index.graph, _relationship_types(index))


# -- dates ------------------------------------------------------------------------------------


def _date_order(index: _Index, locator: _Locator) -> Iterator[Violation]:
    """A statement cannot end before it starts (compared at the coarser of the two precisions)."""
    for statement in index.instances(ONT + "Statement"):
        start, end = (index.one(statement, ONT + p) for p in ("startTime", "endTime"))
        if start is None or end is None:
            continue
        values = [index.one(node, ONT + "dateValue") for node in (start, end)]
        if None in values:
            continue
        try:
            first, last = (parse_date(str(v)) for v in values)
        except BadDateError:
            continue  # the shapes report malformed dates
        if first.start > last.end:
            name = compact(str(statement))
            yield Violation(name, "ag:startTime", f"starts ({first.text}) after it ends ({last.text})",
                            None, locator.find(name), "date")


# -- probable duplicates ----------------------------------------------------------------------------


def _duplicates(index: _Index, locator: _Locator) -> Iterator[Violation]:
    """Entities that are probably one (same folded name, or nearly the same name and a compatible type),
    unless declared distinct with owl:differentFrom. The later-written one is the focus."""
    from .duplicates import Named, find_duplicates

    graph, ref = index.graph, index.URIRef
    names_of = (ref(RDFS + "label"), ref(PREFIXES["skos"] + "altLabel"))
    entities = []
    for node in index.instances(ONT + "Entity") | index.instances(ONT + "Actor"):
        if not isinstance(node, ref):
            continue
        labels = sorted(str(v) for v in graph.objects(node, names_of[0]))
        aliases = sorted(str(v) for v in graph.objects(node, names_of[1]))
        classes = frozenset(t for t in index.types(node) if t.startswith(ONT))
        entities.append(Named(str(node), tuple(labels + aliases), classes))
    different = ref(PREFIXES["owl"] + "differentFrom")
    distinct = {frozenset((str(a), str(b))) for a, b in graph.subject_objects(different)}
    for pair in find_duplicates(entities, index.above, distinct):
        first, second = compact(pair.first), compact(pair.second)
        places = {first: locator.find(first), second: locator.find(second)}
        later, earlier = sorted((first, second), key=lambda n: _sort_key(Violation(n, "", "", None, places[n])),
                                reverse=True)
        where = f" ({places[earlier]})" if places[earlier] else ""
        yield Violation(
            later, "rdfs:label",
            f"probable duplicate of {earlier}{where}: {pair.reason()}; if they are two, "
            f"declare it with {later} owl:differentFrom {earlier}",
            None, places[later], "duplicate")


# -- identifiers in other datasets --------------------------------------------------------------


def _identifier_schemes(index: _Index) -> dict[str, IdentifierScheme]:
    """The identifier properties the ontology declares (sub-properties of ``ag:externalIdentifier``)."""
    from rdflib import URIRef

    found = {}
    for prop in index.graph.subjects(URIRef(RDFS + "subPropertyOf"), URIRef(ONT + "externalIdentifier")):
        def text(annotation: str, prop=prop) -> str | None:
            value = index.one(prop, annotation)
            return None if value is None else str(value)

        iri = str(prop)
        found[iri] = IdentifierScheme(iri, text(RDFS + "label") or compact(iri), text(ONT + "idPattern"),
                                      text(ONT + "idForm"), text(ONT + "idUrl"))
    return dict(sorted(found.items()))


def _document_text(index: _Index, doc, graph_dir: Path) -> str | None:
    """The stored text of a source document, or None when it has none or it cannot be read (the checks of
    source documents say why)."""
    text_file = index.one(doc, ONT + "textFile")
    if text_file is None:
        return None
    target = (graph_dir / str(text_file)).resolve()
    if not target.is_relative_to(graph_dir.resolve()):
        return None
    try:
        return target.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _identifiers(index: _Index, graph_dir: Path, locator: _Locator) -> Iterator[Violation]:
    """Every external identifier is in its property's form and has a recorded origin that gives it."""
    from rdflib import Literal

    graph, ref = index.graph, index.URIRef
    schemes = _identifier_schemes(index)
    origins: dict[tuple[str, str, str], list] = defaultdict(list)
    for origin in sorted(set(graph.subjects(ref(ONT + "identifies"), None)) | index.instances(ONT + "IdentifierOrigin"),
                         key=str):
        entity, scheme, value = (index.one(origin, ONT + p) for p in ("identifies", "identifierScheme",
                                                                         "identifierValue"))
        name = compact(str(origin))
        where = locator.find(name)
        if entity is None or scheme is None or value is None:
            continue  # the shapes report it
        origins[(str(entity), str(scheme), str(value))].append(origin)
        if str(scheme) not in schemes:
            known = ", ".join(compact(s) for s in schemes)
            yield Violation(name, "ag:identifierScheme", f"must be an identifier property ({known})",
                            compact(str(scheme)), where, "identifier")
            continue
        if (entity, ref(str(scheme)), Literal(str(value))) not in graph:
            yield Violation(name, "ag:identifierValue",
                            f"records an identifier that {compact(str(entity))} does not carry "
                            f"(no {compact(str(scheme))} {_short(str(value))} on it)", None, where, "identifier")
        excerpt = index.one(origin, ONT + "excerpt")
        if excerpt is None:
            continue  # the shapes report it
        if str(value) not in str(excerpt):
            yield Violation(name, "ag:excerpt", "the excerpt does not contain the identifier",
                            _short(str(value)), locator.find_after(where, "ag:excerpt"), "identifier")
        found_in = index.one(origin, ONT + "foundIn")
        if found_in is not None and index.types(found_in) & index.below(ONT + "SourceDocument"):
            text = _document_text(index, found_in, graph_dir)
            if text is not None and str(excerpt) not in text:
                text_file = index.one(found_in, ONT + "textFile")
                yield Violation(name, "ag:excerpt", f"excerpt not found verbatim in {text_file}",
                                _short(str(excerpt)), locator.find_after(where, "ag:excerpt"), "identifier")
        elif found_in is not None:
            missing = [p for p in ("repository", "path", "commit") if index.one(origin, ONT + p) is None]
            if missing:
                yield Violation(name, "ag:foundIn",
                                "an identifier found in a file needs its " + ", ".join(f"ag:{p}" for p in missing)
                                + " (or ag:foundIn a source document of the graph)", None, where, "identifier")

    for scheme in schemes.values():
        for entity, value in sorted(graph.subject_objects(ref(scheme.iri)), key=lambda so: (str(so[0]), str(so[1]))):
            subject, predicate, text = _term_text(entity), compact(scheme.iri), str(value)
            where = locator.find(subject, predicate, _term_text(value)) or locator.find(subject)
            if not scheme.fits(text):
                yield Violation(subject, predicate, f"{scheme.label} must be {scheme.form or scheme.pattern}",
                                _short(text), where, "identifier")
            if not origins.get((str(entity), scheme.iri, text)):
                yield Violation(subject, predicate,
                                "identifier has no recorded origin: add an ag:IdentifierOrigin that says where it "
                                "was found (repository, path, commit and excerpt, or a source document)",
                                _short(text), where, "identifier")
