"""One offline page per source document: its stored text, with every quoted passage marked.

The explorer's evidence links here (``source-<name>.html#st=<statement>``): the page highlights that
statement's quote in the text and scrolls it into view. ``#quote=<text>`` highlights any passage (the
stories use it). Clicking a marked passage lists the statements that quote it. Offsets are computed
here, in Python, from the same text ``validate`` checks the quotes against, so a mark covers exactly
the characters of its quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

ID_PREFIX = "https://w3id.org/actorgraph/id/"


def page_name(document: str) -> str:
    """The file name of a source's page: ``source-<its name>.html``."""
    from .html import file_slug

    local = document.removeprefix(ID_PREFIX)
    return f"source-{file_slug(local.removeprefix('doc-'))}.html"


@dataclass(frozen=True)
class Segment:
    """A run of the text and the statements (their indexes) whose quotes cover all of it."""

    text: str
    statements: tuple[int, ...]


def segments(text: str, spans: list[tuple[int, int, int]]) -> list[list[Segment]]:
    """The text cut at every quote's start and end, as paragraphs (split at line breaks) of segments.
    ``spans`` are (start, end, statement index)."""
    cuts = {0, len(text)}
    for start, end, _ in spans:
        cuts.update((start, end))
    cuts.update(i for i, char in enumerate(text) if char == "\n")
    cuts.update(i + 1 for i, char in enumerate(text) if char == "\n")
    points = sorted(cuts)
    paragraphs: list[list[Segment]] = [[]]
    for start, end in zip(points, points[1:], strict=False):
        piece = text[start:end]
        if piece == "\n":
            paragraphs.append([])
            continue
        covering = tuple(sorted(i for s, e, i in spans if s <= start and end <= e))
        paragraphs[-1].append(Segment(piece, covering))
    return [p for p in paragraphs if p]


def _statements(kg: KnowledgeGraph, document: str) -> list[dict[str, Any]]:
    """The statements citing ``document``, in IRI order: what each says (subject, relationship, object,
    and the issuer and note of a sanction or a figure), and its evidence record as pages carry it
    (``ev``, read by the evidence panel's fields, so that a field added to the ontology shows here too)."""
    from .. import evidence
    from .html import node_key

    said = ("subject_label", "relationship", "object_label", "issued_by_label", "note")
    found: dict[str, dict[str, Any]] = {}
    for row in kg.named("statements", source=document):
        if row["statement"] not in found:
            found[row["statement"]] = {k: row[k] for k in said if row.get(k) is not None}
    records = evidence.fetch(kg, found)
    for iri, item in found.items():
        item["key"] = node_key(iri)
        item["ev"] = kg.evidence_fields.page(records.get(iri) or kg.evidence_fields.blank(iri))
    return [found[k] for k in sorted(found)]


def build_source_page(kg: KnowledgeGraph, document: dict[str, Any], text: str) -> str:
    """The page of one source document (a row of the ``documents`` query) with its ``text``."""
    from .. import evidence
    from .html import environment, script_json

    statements = _statements(kg, document["document"])
    spans, missing = [], []
    for index, item in enumerate(statements):
        quote = evidence.quote(item["ev"]) or ""
        at = text.find(quote) if quote else -1
        if at < 0:
            missing.append((item["key"], quote))
        else:
            spans.append((at, at + len(quote), index))
    quoted = sum(1 for p in segments(text, spans) for s in p if s.statements)
    template = environment().get_template("source.html")
    return template.render(document=document, paragraphs=segments(text, spans), count=len(statements),
                           missing=missing, quoted=quoted,
                           data=script_json({"statements": statements, "title": document["label"],
                                             "fields": kg.evidence_fields.describe()}))


def documents(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    return kg.named("documents")


def source_text(kg: KnowledgeGraph, document: dict[str, Any]) -> str:
    """The stored text of a source document, read from the graph directory."""
    from ..errors import DataFileError

    if not document.get("text_file"):
        raise DataFileError(f"{document['label']}: the source document names no text file (ag:textFile)")
    root = kg.graph_dir.resolve()
    target = (root / str(document["text_file"])).resolve()
    if not target.is_relative_to(root):
        raise DataFileError(f"{document['text_file']}: the text file must be inside the graph directory")
    try:
        return target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{target}: no such file (the text of {document['label']})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(f"{target}: cannot be read ({err})") from None


def build_source_pages(kg: KnowledgeGraph) -> dict[str, str]:
    """Every source's page, by file name."""
    return {page_name(doc["document"]): build_source_page(kg, doc, source_text(kg, doc)) for doc in documents(kg)}
