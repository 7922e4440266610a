"""How much of each source text the graph cites: the share of its sentences that some statement quotes.

A sentence counts as cited when at least one quote drawn from its document overlaps it by
``min_overlap`` characters (20 by default), or covers the whole sentence when it is shorter than that.
Quotes are located in the stored text by exact search, so a quote that is not verbatim cites nothing
(``actorgraph validate`` reports it as well).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import paths
from .errors import DataFileError
from .store import Store, to_python

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

MIN_OVERLAP = 20

# Sentence-ending punctuation, then any closing quotes or brackets, then the whitespace to split on.
_END = re.compile(r"[.!?][”’\"')\]]*(\s+)")
# What may open a new sentence: a capital, a digit, or an opening quote or bracket.
_OPENER = re.compile(r"[A-ZÁÉÍÓÚÑÜ0-9“‘\"'(¿¡]")
# "U.S.", "U.N.", "D.C.": initials never end a sentence here; nor do these short titles.
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}$")
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "vs.", "no.", "gen.", "col.", "sen.", "rep."}
_LINE_END = re.compile(r"[.!?:…][”’\"')\]]*$")

_QUOTES = """
SELECT ?doc ?label ?file ?quote WHERE {
  ?doc a ag:SourceDocument ; ag:textFile ?file .
  OPTIONAL { ?doc rdfs:label ?label }
  OPTIONAL { ?statement ag:source ?doc ; ag:quote ?quote }
}
"""


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source text, with its character offsets (``text == source[start:end]``)."""

    start: int
    end: int
    text: str


def _ends_sentence(line: str, dot: int) -> bool:
    """Whether the punctuation at ``dot`` ends a sentence, judged by the word it closes."""
    if line[dot] != ".":
        return True
    word = line[: dot + 1].rsplit(None, 1)[-1].lstrip("“‘\"'(")
    return not (_INITIALS.search(word) or word.lower() in _ABBREVIATIONS)


def is_heading(line: str) -> bool:
    """A line that does not end as a sentence does (a title, a subheading)."""
    return not _LINE_END.search(line.strip())


def split_sentences(text: str) -> tuple[list[Sentence], list[str]]:
    """The sentences of ``text`` and, apart, its headings (lines that end without punctuation)."""
    sentences: list[Sentence] = []
    headings: list[str] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        line_start, offset = offset, offset + len(raw)
        stripped = line.strip()
        if not stripped:
            continue
        if is_heading(stripped):
            headings.append(stripped)
            continue
        start = 0
        for match in _END.finditer(line):
            after = match.end()
            if after < len(line) and not _OPENER.match(line[after]):
                continue
            if not _ends_sentence(line, match.start()):
                continue
            sentences.append(_sentence(line, line_start, start, match.start(1)))
            start = after
        if line[start:].strip():
            sentences.append(_sentence(line, line_start, start, len(line)))
    return sentences, headings


def _sentence(line: str, line_start: int, start: int, end: int) -> Sentence:
    chunk = line[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    body = chunk.strip()
    begin = line_start + start + lead
    return Sentence(begin, begin + len(body), body)


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every place the quote occurs verbatim in the text."""
    spans, at = [], text.find(quote)
    while quote and at >= 0:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return spans


@dataclass
class DocumentCoverage:
    """One source document: its sentences, and which of them some quote cites."""

    document: str
    label: str
    path: Path
    sentences: list[Sentence]
    headings: list[str]
    cited: list[bool]
    quotes: int = 0
    unlocated: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.sentences)

    @property
    def cited_count(self) -> int:
        return sum(self.cited)

    @property
    def ratio(self) -> float:
        return self.cited_count / self.total if self.total else 1.0

    @property
    def uncited(self) -> list[Sentence]:
        return [s for s, hit in zip(self.sentences, self.cited, strict=True) if not hit]


@dataclass
class CoverageReport:
    """Sentence coverage over every source document of a graph."""

    documents: list[DocumentCoverage]
    min_overlap: int = MIN_OVERLAP

    @property
    def total(self) -> int:
        return sum(d.total for d in self.documents)

    @property
    def cited(self) -> int:
        return sum(d.cited_count for d in self.documents)

    @property
    def ratio(self) -> float:
        """Cited sentences over all sentences, 0 to 1 (1 when there are no sentences)."""
        return self.cited / self.total if self.total else 1.0

    @property
    def uncited(self) -> list[tuple[str, Sentence]]:
        return [(d.document, s) for d in self.documents for s in d.uncited]

    def __float__(self) -> float:
        return self.ratio

    def summary(self) -> str:
        """'98% of source sentences quoted (57 of 58)'."""
        return f"{self.ratio:.0%} of source sentences quoted ({self.cited} of {self.total})"

    def as_json(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "cited": self.cited,
            "sentences": self.total,
            "min_overlap": self.min_overlap,
            "documents": [
                {
                    "document": d.document,
                    "label": d.label,
                    "path": str(d.path),
                    "sentences": d.total,
                    "cited": d.cited_count,
                    "ratio": d.ratio,
                    "headings": d.headings,
                    "uncited": [s.text for s in d.uncited],
                    "unlocated_quotes": d.unlocated,
                }
                for d in self.documents
            ],
        }


def measure(
    text: str, quotes: list[str], min_overlap: int = MIN_OVERLAP
) -> tuple[list[Sentence], list[str], list[bool]]:
    """Split ``text`` and mark each sentence cited or not by ``quotes``."""
    sentences, headings = split_sentences(text)
    spans = [span for quote in quotes for span in _spans(text, quote)]
    cited = []
    for sentence in sentences:
        need = min(min_overlap, sentence.end - sentence.start)
        best = max((min(sentence.end, e) - max(sentence.start, s) for s, e in spans), default=0)
        cited.append(best >= need)
    return sentences, headings, cited


def read_source(path: Path, iri: str) -> str:
    """The stored text of the source document ``iri``; a one-line DataFileError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise DataFileError(f"{path}: cannot read the source text of {iri}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: the source text of {iri} is not UTF-8") from None


def sentence_coverage(
    source: KnowledgeGraph | Store | str | Path | None = None,
    ontology_dir: str | Path | None = None,
    *,
    graph_dir: str | Path | None = None,
    min_overlap: int = MIN_OVERLAP,
) -> CoverageReport:
    """The share of source sentences that statements quote.

    ``source`` is a loaded ``KnowledgeGraph``, a ``Store``, a ``DataSource``, or the graph directory
    (default: ``graph/``);
    the stored texts are read from the graph directory, which ``graph_dir`` overrides.
    """
    from .kg import KnowledgeGraph
    from .store import DataSource, LocalStore, data_source

    if isinstance(source, KnowledgeGraph):
        store, gdir = source.store, paths.graph_dir(graph_dir or source.graph_dir)
    elif isinstance(source, Store):
        store, gdir = source, paths.graph_dir(graph_dir)
    else:
        data = data_source(source if isinstance(source, DataSource) else graph_dir or source, ontology_dir)
        store, gdir = LocalStore.open(data), data.graph_dir
    quoted = [{name: to_python(term) for name, term in row.items()} | {"doc": row["doc"].value}
              for row in store.select(_QUOTES).rows]
    return coverage_of(quoted, gdir, min_overlap)


def coverage_of(quoted: Iterable[dict[str, Any]], graph_dir: Path, min_overlap: int = MIN_OVERLAP) -> CoverageReport:
    """Sentence coverage from rows of ``doc`` (an IRI), ``file`` (its text, relative to ``graph_dir``),
    and optionally ``label`` and ``quote``: what the ``_QUOTES`` query gives, or validation's
    ``Report.quoted``, which are the same rows read from the files it has just parsed."""
    docs: dict[str, dict[str, Any]] = {}
    for row in quoted:
        doc = docs.setdefault(row["doc"], {"label": row.get("label") or row["doc"], "file": str(row["file"]),
                                           "quotes": set()})
        if row.get("quote") is not None:
            doc["quotes"].add(str(row["quote"]))

    documents = []
    for iri in sorted(docs):
        info = docs[iri]
        path = graph_dir / info["file"]
        text = read_source(path, iri)
        quotes = sorted(info["quotes"])
        sentences, headings, cited = measure(text, quotes, min_overlap)
        documents.append(
            DocumentCoverage(
                document=iri,
                label=str(info["label"]),
                path=path,
                sentences=sentences,
                headings=headings,
                cited=cited,
                quotes=len(quotes),
                unlocated=[q for q in quotes if q not in text],
            )
        )
    return CoverageReport(documents, min_overlap)
