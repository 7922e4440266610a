"""Reading a review sheet (docs/review-sheet.md): the YAML file in which a person accepts, fixes or drops
the claims proposed for one source, before ``actorgraph add`` compiles the accepted ones.

This module knows the sheet's shape and nothing about the graph: it turns the YAML into dataclasses and
remembers the line of every value, so that every later error can say ``sheet:line``. A misspelt key is
an error (``acept:`` must not silently drop a claim). Proposals that are not accepted are only checked
for their keys: a reviewer may leave a rejected proposal half-edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .dates import PartialDate, parse_date
from .errors import BadDateError, DataFileError, SheetError
from .evidence import (
    ASSERTED_BY,
    CONTENT,
    DATE_KEYS,
    END_TIME,
    INFERRED,
    QUOTE,
    REASON,
    ROLE,
    SCOPE,
    SOURCE,
    START_TIME,
    STATUS,
)

FORMAT = "actorgraph-sheet/1"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CLAIM_ID = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # incl. bidirectional overrides

_TOP_KEYS = {"format", SOURCE, "entities", "claims", "figures"}  # SOURCE: the statements' source document
_SOURCE_KEYS = {"id", "text_file", "sha256", "published"}
_ENTITY_KEYS = {"key", "accept", "label", "type", "aliases", "comment", "mentions", "closest", "same_as",
                "distinct_from", "identifiers"}
_IDENTIFIER_KEYS = {"scheme", "value", "excerpt", "span"}
# A sheet's keys that are also evidence fields' keys are the fields', as ``evidence`` spells them.
_EVIDENCE_KEYS = {"id", "accept", "sentence", QUOTE, "span", ASSERTED_BY, STATUS, "dates", "note", "mentions", "cues"}
_CLAIM_KEYS = _EVIDENCE_KEYS | {"subject", "relationship", "object", ROLE, REASON, "in_event", "issued_by", CONTENT,
                                SCOPE, "scope_count", "denies", INFERRED, "basis"}
_FIGURE_KEYS = _EVIDENCE_KEYS | {"value", "unit", "approximation", "measure", "describes", "basis"}
_DATE_FIELDS = {"value", INFERRED, "basis"}


@dataclass(frozen=True)
class DateSpec:
    """A date of a claim: its value with its precision, whether it was worked out, and how."""

    date: PartialDate
    inferred: bool
    basis: str | None
    line: int


@dataclass
class Item:
    """What every proposal has: where it starts, and the line of each of its keys."""

    line: int
    lines: dict[str, int] = field(default_factory=dict)

    def at(self, key: str) -> int:
        """The line of ``key`` in this proposal, or of the proposal itself when the key is absent."""
        return self.lines.get(key, self.line)


@dataclass
class IdentifierSpec(Item):
    """An identifier of the entity in another dataset that the source text itself gives: its scheme (an
    identifier property such as wikidataId), its value, and the words of the text that give it."""

    scheme: str = ""
    value: str = ""
    excerpt: str = ""
    span: tuple[int, int] | None = None


@dataclass
class EntityProposal(Item):
    key: str = ""
    accept: bool = False
    label: str = ""
    type: str = ""
    aliases: list[str] = field(default_factory=list)
    comment: str | None = None
    same_as: str | None = None
    distinct_from: list[str] = field(default_factory=list)
    identifiers: list[IdentifierSpec] = field(default_factory=list)


@dataclass
class Evidence(Item):
    """The fields a claim and a figure share: the quote where it stands, who says it, how firmly, when."""

    id: str = ""
    accept: bool = False
    quote: str = ""
    span: tuple[int, int] | None = None
    asserted_by: str = ""
    status: str = ""
    dates: dict[str, DateSpec] = field(default_factory=dict)
    note: str | None = None


@dataclass
class ClaimProposal(Evidence):
    subject: str = ""
    relationship: str = ""
    object: str = ""
    role: str | None = None
    reason: str | None = None
    in_event: str | None = None
    issued_by: str | None = None
    content: str | None = None  # reported speech: what was said, in the source's words
    scope: str | None = None  # which part of a group, in the source's words ("several of the men")
    scope_count: int | None = None
    denies: str | None = None  # the claim (id in this sheet) or statement this one denies
    inferred: bool = False  # the text implies the claim rather than states it
    basis: str | None = None  # how, when inferred


@dataclass
class FigureProposal(Evidence):
    value: int | Decimal = 0
    unit: str = ""
    approximation: str = ""
    measure: str = ""
    describes: str = ""
    basis: str | None = None


@dataclass
class Sheet:
    """A whole review sheet. Only accepted proposals are fully read; the rest are kept for counting."""

    path: Path
    source_id: str
    text_file: str
    sha256: str
    published: PartialDate | None
    entities: list[EntityProposal]
    claims: list[ClaimProposal]
    figures: list[FigureProposal]
    lines: dict[str, int] = field(default_factory=dict)

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"

    @property
    def accepted_entities(self) -> list[EntityProposal]:
        return [e for e in self.entities if e.accept]

    @property
    def accepted_claims(self) -> list[ClaimProposal]:
        return [c for c in self.claims if c.accept]

    @property
    def accepted_figures(self) -> list[FigureProposal]:
        return [f for f in self.figures if f.accept]


# ----------------------------------------------------------------------------------------------
# YAML nodes with their lines
# ----------------------------------------------------------------------------------------------

_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class _Reader:
    """Walks the composed YAML nodes, converting values and collecting one line per problem."""

    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.shown}:{line}: {message}")

    @staticmethod
    def line(node) -> int:
        return node.start_mark.line + 1

    def mapping(self, node, allowed: set[str], what: str) -> dict[str, Any] | None:
        """The mapping's value nodes by key, after checking for unknown and repeated keys."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.problem(self.line(node), f"{what} must be a mapping of keys to values")
            return None
        found: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key == "<<":
                self.problem(self.line(key_node), "merge keys (<<) are not supported in a review sheet")
            elif key not in allowed:
                known = ", ".join(sorted(allowed))
                hint = _closest(str(key), allowed)
                self.problem(self.line(key_node), f"unknown key {key!r} in {what}"
                             + (f" (did you mean {hint!r}?)" if hint else f" (known keys: {known})"))
            elif key in found:
                self.problem(self.line(key_node), f"key {key!r} appears twice in {what}")
            else:
                found[key] = value_node
        return found

    def sequence(self, node, what: str) -> list:
        import yaml

        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(self.line(node), f"{what} must be a list")
            return []
        return list(node.value)

    def text(self, node, what: str) -> str | None:
        """A scalar as the text written in the sheet ("2025" stays "2025"); None for null or blank."""
        import yaml

        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return None
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            self.problem(self.line(node), f"{what} must be text, not {kind}")
            return None
        return node.value if node.value.strip() else None

    def boolean(self, node, what: str) -> bool:
        import yaml

        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return False
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        self.problem(self.line(node), f"{what} must be true or false")
        return False

    def integer(self, node, what: str) -> int | None:
        import yaml

        if isinstance(node, yaml.ScalarNode) and node.tag == _INT:
            return yaml.constructor.SafeConstructor().construct_yaml_int(node)
        self.problem(self.line(node), f"{what} must be a whole number")
        return None

    def number(self, node, what: str) -> int | Decimal | None:
        """A figure's value, kept exactly as written (6000000, 1.5)."""
        import yaml

        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT, _STR):
            raw = node.value.replace("_", "").strip()
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value = None
            if value is not None and value.is_finite():
                return int(value) if value == value.to_integral_value() and "." not in raw \
                    and "e" not in raw.lower() else value
        self.problem(self.line(node), f"{what} must be a number written with digits, such as 6000000 or 1.5 "
                                      f"(no thousands separators)")
        return None

    def span(self, node, what: str) -> tuple[int, int] | None:
        import yaml

        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return None
        if isinstance(node, yaml.SequenceNode) and len(node.value) == 2:
            start, end = (self.integer(n, what) for n in node.value)
            if start is None or end is None:
                return None
            if 0 <= start < end:
                return start, end
        self.problem(self.line(node), f"{what} must be [start, end], two character offsets with start < end")
        return None

    def strings(self, node, what: str) -> list[str]:
        found = []
        for item in self.sequence(node, what):
            value = self.text(item, f"each item of {what}")
            if value is not None:
                found.append(value)
        return found


def _closest(word: str, choices: set[str]) -> str | None:
    from rapidfuzz import process

    match = process.extractOne(word, sorted(choices), score_cutoff=75)
    return match[0] if match else None


# ----------------------------------------------------------------------------------------------
# The sheet
# ----------------------------------------------------------------------------------------------


def load_sheet(path: str | Path) -> Sheet:
    """Read and shape-check a review sheet. Every problem is one line of the ``SheetError`` raised."""
    import yaml

    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise DataFileError(f"{shown}: no such file")
    if not path.is_file():
        raise DataFileError(f"{shown}: not a regular file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise SheetError(shown, [f"{shown}: not UTF-8 text ({err.reason} at byte {err.start})"]) from None
    except OSError as err:
        raise DataFileError(f"{shown}: {err.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        words = " ".join(str(part) for part in (err.context, err.problem) if part)
        raise SheetError(shown, [f"{shown}{line}: invalid YAML: {' '.join(words.split())}"]) from None
    except yaml.YAMLError as err:
        raise SheetError(shown, [f"{shown}: invalid YAML: {' '.join(str(err).split())}"]) from None
    if root is None:
        raise SheetError(shown, [f"{shown}:1: the sheet is empty"])

    reader = _Reader(shown)
    top = reader.mapping(root, _TOP_KEYS, "the sheet")
    if top is None:
        raise SheetError(shown, reader.problems)
    lines = {key: reader.line(node) for key, node in top.items()}
    form = reader.text(top.get("format"), "format")
    if form != FORMAT:
        reader.problem(lines.get("format", 1), f"format must be {FORMAT}" + (f", not {form!r}" if form else ""))

    source_id = text_file = sha256 = ""
    published = None
    source = reader.mapping(top[SOURCE], _SOURCE_KEYS, SOURCE) if SOURCE in top else None
    if SOURCE not in top:
        reader.problem(1, "the sheet has no source: section")
    if source is not None:
        source_line = lines[SOURCE]
        source_id = _required(reader, source, "id", SOURCE, source_line) or ""
        text_file = _required(reader, source, "text_file", SOURCE, source_line) or ""
        sha256 = _required(reader, source, "sha256", SOURCE, source_line) or ""
        raw = reader.text(source.get("published"), "source: published")
        if raw is not None:
            try:
                published = parse_date(raw)
            except BadDateError as err:
                reader.problem(reader.line(source["published"]), str(err))
        for key, node in source.items():
            lines[f"source.{key}"] = reader.line(node)

    entities = [_entity(reader, node) for node in reader.sequence(top.get("entities"), "entities")]
    claims = [_claim(reader, node) for node in reader.sequence(top.get("claims"), "claims")]
    figures = [_figure(reader, node) for node in reader.sequence(top.get("figures"), "figures")]
    _check_unique(reader, [(e.key, e.line) for e in entities if e.key], "entity key")
    _check_unique(reader, [(i.id, i.line) for i in (*claims, *figures) if i.id], "claim or figure id")
    if reader.problems:
        raise SheetError(shown, reader.problems)
    return Sheet(path, source_id, text_file, sha256, published, entities, claims, figures, lines)


def _required(reader: _Reader, fields: dict, key: str, what: str, line: int) -> str | None:
    value = reader.text(fields.get(key), f"{what}: {key}")
    if value is None:
        reader.problem(reader.line(fields[key]) if key in fields else line, f"{what} needs {key}")
    return value


def _check_unique(reader: _Reader, keys: list[tuple[str, int]], what: str) -> None:
    seen: dict[str, int] = {}
    for key, line in keys:
        if key in seen:
            reader.problem(line, f"{what} {key!r} is used twice (first at line {seen[key]})")
        else:
            seen[key] = line


def _start(reader: _Reader, node, allowed: set[str], what: str, item: Item) -> dict | None:
    fields = reader.mapping(node, allowed, what)
    if fields is not None:
        item.lines = {key: reader.line(value) for key, value in fields.items()}
    return fields


def _entity(reader: _Reader, node) -> EntityProposal:
    entity = EntityProposal(line=reader.line(node))
    fields = _start(reader, node, _ENTITY_KEYS, "an entity", entity)
    if fields is None:
        return entity
    entity.key = _required(reader, fields, "key", "an entity", entity.line) or ""
    if entity.key and not _SLUG.match(entity.key):
        reader.problem(entity.at("key"), f"entity key {entity.key!r} must be lower-case letters, digits and "
                                         "single hyphens (it becomes the entity's id)")
    entity.accept = reader.boolean(fields.get("accept"), "accept")
    if not entity.accept:
        return entity
    entity.same_as = reader.text(fields.get("same_as"), "same_as")
    entity.distinct_from = reader.strings(fields.get("distinct_from"), "distinct_from")
    if entity.same_as is None:
        entity.label = _required(reader, fields, "label", f"entity {entity.key!r}", entity.line) or ""
        entity.type = _required(reader, fields, "type", f"entity {entity.key!r}", entity.line) or ""
    else:
        entity.label = reader.text(fields.get("label"), "label") or ""
        entity.type = reader.text(fields.get("type"), "type") or ""
    entity.aliases = reader.strings(fields.get("aliases"), "aliases")
    entity.comment = reader.text(fields.get("comment"), "comment")
    for node in reader.sequence(fields.get("identifiers"), "identifiers"):
        spec = IdentifierSpec(line=reader.line(node))
        found = _start(reader, node, _IDENTIFIER_KEYS, "an identifier", spec)
        if found is None:
            continue
        spec.scheme = _required(reader, found, "scheme", "an identifier", spec.line) or ""
        spec.value = _required(reader, found, "value", "an identifier", spec.line) or ""
        spec.excerpt = _required(reader, found, "excerpt", "an identifier", spec.line) or ""
        spec.span = reader.span(found.get("span"), "span")
        entity.identifiers.append(spec)
    for key, names in (("label", [entity.label]), ("aliases", entity.aliases)):
        if any(_CONTROL.search(name) for name in names):
            reader.problem(entity.at(key), f"{key} must be plain text, without control characters")
    return entity


def _evidence(reader: _Reader, fields: dict, item: Evidence, what: str) -> None:
    item.quote = reader.text(fields.get(QUOTE), QUOTE) or ""
    if not item.quote:
        reader.problem(item.at(QUOTE), f"{what} needs a quote: the exact words of the source")
    item.span = reader.span(fields.get("span"), "span")
    item.asserted_by = _required(reader, fields, ASSERTED_BY, what, item.line) or ""
    item.status = _required(reader, fields, STATUS, what, item.line) or ""
    item.note = reader.text(fields.get("note"), "note")
    item.dates = _dates(reader, fields.get("dates"))


def _accepted(reader: _Reader, node, item: Evidence, allowed: set[str], kind: str) -> dict | None:
    """A claim's or figure's fields, read as far as its acceptance says: its keys and id always, its
    evidence (quote, span, asserting party, status, dates, note) only when it is accepted."""
    fields = _start(reader, node, allowed, f"a {kind}", item)
    if fields is None:
        return None
    _item_id(reader, fields, item, f"a {kind}")
    if not item.accept:
        return None
    _evidence(reader, fields, item, f"{kind} {item.id!r}")
    return fields


def _claim(reader: _Reader, node) -> ClaimProposal:
    claim = ClaimProposal(line=reader.line(node))
    fields = _accepted(reader, node, claim, _CLAIM_KEYS, "claim")
    if fields is None:
        return claim
    what = f"claim {claim.id!r}"
    for key in ("subject", "relationship", "object"):
        setattr(claim, key, _required(reader, fields, key, what, claim.line) or "")
    for key in (ROLE, REASON, "in_event", "issued_by", CONTENT, SCOPE, "denies", "basis"):
        setattr(claim, key, reader.text(fields.get(key), key))
    if fields.get("scope_count") is not None and reader.text(fields["scope_count"], "scope_count") is not None:
        claim.scope_count = reader.integer(fields["scope_count"], "scope_count")
        if claim.scope_count is not None and claim.scope_count < 0:
            reader.problem(claim.at("scope_count"), "scope_count must not be negative")
        if claim.scope is None:
            reader.problem(claim.at("scope_count"), "scope_count needs scope: the source's words for that part")
    claim.inferred = reader.boolean(fields.get(INFERRED), INFERRED)
    if claim.inferred and not claim.basis:
        reader.problem(claim.at(INFERRED), f"{what} is inferred, so it needs a basis: what in the text implies it")
    if claim.basis and not claim.inferred:
        reader.problem(claim.at("basis"), f"{what} has a basis but is not marked inferred: true")
    return claim


def _figure(reader: _Reader, node) -> FigureProposal:
    figure = FigureProposal(line=reader.line(node))
    fields = _accepted(reader, node, figure, _FIGURE_KEYS, "figure")
    if fields is None:
        return figure
    what = f"figure {figure.id!r}"
    if "value" in fields:
        figure.value = reader.number(fields["value"], "value")  # type: ignore[assignment]
    else:
        reader.problem(figure.line, f"{what} needs value")
    for key in ("unit", "approximation", "measure", "describes"):
        setattr(figure, key, _required(reader, fields, key, what, figure.line) or "")
    figure.basis = reader.text(fields.get("basis"), "basis")
    return figure


def _item_id(reader: _Reader, fields: dict, item: Evidence, what: str) -> None:
    item.id = _required(reader, fields, "id", what, item.line) or ""
    if item.id and not _CLAIM_ID.match(item.id):
        reader.problem(item.at("id"), f"id {item.id!r} must be letters, digits and single hyphens "
                                      "(it becomes part of the statement's id)")
    item.accept = reader.boolean(fields.get("accept"), "accept")


def _dates(reader: _Reader, node) -> dict[str, DateSpec]:
    import yaml

    found: dict[str, DateSpec] = {}
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
        return found
    fields = reader.mapping(node, set(DATE_KEYS), "dates")
    for key, value in (fields or {}).items():
        line = reader.line(value)
        if isinstance(value, yaml.ScalarNode) and value.tag == _NULL:
            continue
        if isinstance(value, yaml.ScalarNode):  # the short form: point_in_time: 2025-03
            parts = {"value": value}
        else:
            parts = reader.mapping(value, _DATE_FIELDS, key)
            if parts is None:
                continue
        raw = reader.text(parts.get("value"), f"{key}: value")
        if raw is None:
            reader.problem(line, f"{key} needs a value (YYYY, YYYY-MM or YYYY-MM-DD), or null for no date")
            continue
        try:
            date = parse_date(raw)
        except BadDateError as err:
            reader.problem(reader.line(parts["value"]), f"{key}: {err}")
            continue
        inferred = reader.boolean(parts.get(INFERRED), f"{key}: {INFERRED}")
        basis = reader.text(parts.get("basis"), f"{key}: basis")
        if inferred and not basis:
            reader.problem(line, f"{key} is inferred, so it needs a basis: how the date was worked out")
        if basis and not inferred:
            reader.problem(line, f"{key} has a basis but is not marked inferred: true (a date read from the "
                                 "text needs no basis)")
        found[key] = DateSpec(date, inferred, basis, line)
    if START_TIME in found and END_TIME in found:
        start, end = found[START_TIME], found[END_TIME]
        if start.date.start > end.date.end:
            reader.problem(start.line, f"{START_TIME} {start.date.text} is after {END_TIME} {end.date.text}")
    return found
