"""``actorgraph add``: compile the accepted claims of a review sheet into the graph.

For the source ``agid:doc-NAME`` it writes

* ``graph/NAME.ttl``, whole: for each accepted claim the direct triple and its statement node (quote,
  source, asserting party, status, dates, role, reason, event, note) with a generated label; for each
  accepted figure the ``ag:Figure``, its ``ag:describes`` triple and its statement;
* the sheet's new entities (and new measures) to ``graph/actors.ttl``, in one block that belongs to the
  source, between two marker lines::

      # >>> entities from agid:doc-NAME, written by `actorgraph add`: edit the sheet, not this block
      ...
      # <<< end of entities from agid:doc-NAME

Running it again replaces that file and that block, and nothing else: this is how the entities a source
introduced are tracked. An entity that another source has come to use cannot be dropped from its block.

Everything is checked before anything is written: the sheet's shape (``sheet``), then each accepted
proposal against the graph as it will be without the source's earlier output (names, relationship
types, statuses, domains and ranges, quotes at their spans, duplicates), and finally the whole new graph
is validated in a scratch copy. Each problem is one line with ``sheet:line``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import files, turtle
from .errors import DataFileError, SheetError
from .evidence import ASSERTED_BY, QUOTE, STATUS, date_properties
from .names import fold
from .sheet import ClaimProposal, EntityProposal, Evidence, FigureProposal, IdentifierSpec, Sheet, load_sheet
from .sources import ACTORS_FILE, Document, Entity, WorkingGraph, find_document, read_graph_file, sha256_of
from .store import ID, ONT, PREFIXES, DataSource, data_source, require_directory

SOURCE_MARK = "# Written by `actorgraph add`"
_BEGIN = "# >>> entities from agid:{doc}, written by `actorgraph add`: edit the sheet, not this block"
_END = "# <<< end of entities from agid:{doc}"
_BLOCK_LINE = re.compile(r"^# (>>>|<<<) .*?agid:(doc-[\w-]+)")
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[\w.-]*[\w-])?$")


@dataclass
class Compiled:
    """What ``add`` wrote (or, with ``check``, would write)."""

    document: str
    source_file: Path
    actors_file: Path
    statements: int
    figures: int
    new_entities: list[dict[str, str]] = field(default_factory=list)  # iri, label, type (the class's label)
    new_measures: list[str] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    written: bool = False


def compile_sheet(sheet_path: str | Path, graph_dir: DataSource | str | Path | None = None,
                  ontology_dir: str | Path | None = None, *, check: bool = False) -> Compiled:
    """Check the sheet against the graph and, unless ``check``, write the source's file and entity block.
    ``graph_dir`` may be the command's ``DataSource``."""
    sheet = load_sheet(sheet_path)
    source = data_source(graph_dir, ontology_dir)
    gdir = require_directory(source.graph_dir)
    doc_local = sheet.source_id.removeprefix("agid:").removeprefix(ID)
    if not re.fullmatch(r"doc-[a-z0-9]+(?:-[a-z0-9]+)*", doc_local):
        raise SheetError(str(sheet.path), [f"{sheet.where(sheet.lines.get('source.id', 1))}: source id must be "
                                           f"doc-NAME, the document written by add-source, not {sheet.source_id!r}"])
    name = doc_local.removeprefix("doc-")
    source_file = gdir / f"{name}.ttl"
    actors_file = gdir / ACTORS_FILE
    _check_ours(source_file)
    actors_text = read_graph_file(actors_file) if actors_file.exists() else _ACTORS_HEAD
    before, old_block, after = split_block(actors_text, doc_local, actors_file)
    if not (sheet.accepted_entities or sheet.accepted_claims or sheet.accepted_figures) \
            and not source_file.exists() and not old_block:
        raise SheetError(str(sheet.path), [f"{sheet.path}: nothing in it is accepted: set accept: true on what the "
                                           "text says, then run add again; nothing was written"])
    base = WorkingGraph(source, replace={source_file: None, actors_file: before + after})

    builder = _Builder(sheet, base, doc_local)
    builder.check()
    # A source whose accepted proposals are all new entities has no statements: no file of its own (an
    # empty one would be refused by validate), and the one an earlier run wrote goes.
    source_text = builder.source_turtle() if builder.claims or builder.figures else None
    block = builder.entity_block()
    builder.check_dropped(old_block)
    builder.check_dropped_triples(source_file)
    builder.raise_problems()
    new_actors = join_block(before, block, after)
    builder.validate(source_file, source_text, actors_file, new_actors)
    builder.raise_problems()

    entities = [{"iri": n.iri, "label": n.proposal.label, "type": builder._class_label(n.cls)}
                for n in builder.new.values()]
    result = Compiled(builder.doc.iri, source_file, actors_file, len(builder.claims) + len(builder.figures),
                      len(builder.figures), entities, builder.new_measure_iris)
    old_source = read_graph_file(source_file) if source_file.exists() else None
    result.changed = [p for p, new, old in ((actors_file, new_actors, actors_text if actors_file.exists() else None),
                                            (source_file, source_text, old_source)) if new != old]
    if check or not result.changed:
        return result
    files.write_files({path: new_actors if path == actors_file else source_text for path in result.changed
                       if path == actors_file or source_text is not None})
    if source_text is None and old_source is not None:
        source_file.unlink()
    result.written = True
    return result


_ACTORS_HEAD = "# Entities: actors, groups, places, agreements, offers, sanction programmes, events and abuses.\n"


def _check_ours(source_file: Path) -> None:
    """``add`` replaces only a file it wrote itself: never one written by hand."""
    if files.check_target(source_file) is None:
        return
    with source_file.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline()
    if not first.startswith(SOURCE_MARK):
        raise DataFileError(f"{source_file}: was not written by `actorgraph add` (its first line is not "
                            f"{SOURCE_MARK!r}); refusing to replace it")


# ----------------------------------------------------------------------------------------------
# The source's block in actors.ttl
# ----------------------------------------------------------------------------------------------


def split_block(text: str, doc_local: str, path: Path) -> tuple[str, str, str]:
    """The text before the source's entity block, the block (marker lines included), and after it."""
    lines = text.splitlines(keepends=True)
    begins, ends = [], []
    for number, line in enumerate(lines):
        match = _BLOCK_LINE.match(line)
        if match and match.group(2) == doc_local:
            (begins if match.group(1) == ">>>" else ends).append(number)
    if not begins and not ends:
        return text, "", ""
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        first = (begins or ends)[0] + 1
        raise DataFileError(f"{path}:{first}: the block of entities from agid:{doc_local} must have one "
                            f"'# >>>' line and, after it, one '# <<<' line")
    start, end = begins[0], ends[0] + 1
    return "".join(lines[:start]), "".join(lines[start:end]), "".join(lines[end:])


def join_block(before: str, block: str, after: str) -> str:
    """actors.ttl with the source's block in place (appended when new); prefixes the block needs are
    declared at the head of the file, so that removing a block never breaks another."""
    if block and not (before + after).strip():
        before = _ACTORS_HEAD
    needed = turtle.used_prefixes(block)
    missing = turtle.prefix_lines(needed, turtle.declared_prefixes(before + after))
    if missing:
        before = _insert_prefixes(before, missing)
    if not block:
        return before + after
    if after:  # replaced in place
        return before + block + after
    return before.rstrip("\n") + "\n\n" + block


def _insert_prefixes(text: str, lines: str) -> str:
    """Put @prefix lines after the file's last @prefix line (or after its opening comments)."""
    rows = text.splitlines(keepends=True)
    last = max((i for i, row in enumerate(rows) if re.match(r"\s*@prefix\b", row, re.IGNORECASE)), default=None)
    if last is None:
        last = max((i for i, row in enumerate(rows) if row.startswith("#") and all(
            r.startswith("#") for r in rows[:i + 1])), default=-1)
    return "".join(rows[:last + 1]) + lines + "".join(rows[last + 1:])


# ----------------------------------------------------------------------------------------------
# Checking and building
# ----------------------------------------------------------------------------------------------


@dataclass
class _New:
    """A new entity the sheet creates."""

    proposal: EntityProposal
    iri: str
    cls: str
    distinct: list[str]


class _Builder:
    def __init__(self, sheet: Sheet, base: WorkingGraph, doc_local: str):
        self.sheet, self.base = sheet, base
        self.problems: list[tuple[int, str]] = []
        self.vocabulary = base.kg.vocabulary
        self.existing: dict[str, Entity] = base.entities()
        self.used = base.used()
        self.doc_local = doc_local
        self.name = doc_local.removeprefix("doc-")
        self.doc: Document = Document(ID + doc_local, self.name, "", "", "")
        self.text = ""
        self.keys: dict[str, str] = {}  # sheet key -> IRI (new, or existing through same_as)
        self.rejected_keys: set[str] = set()
        self.broken_keys: set[str] = set()  # accepted, but wrong: its own problem is reported once
        self.new: dict[str, _New] = {}
        self.claims: list[tuple[ClaimProposal, dict]] = []
        self.figures: list[tuple[FigureProposal, dict]] = []
        self.identifiers: list[tuple[str, str, IdentifierSpec]] = []  # entity IRI, scheme IRI, the spec
        self.new_measures: dict[str, str] = {}  # folded label -> IRI
        self.new_measure_labels: dict[str, str] = {}
        self.statuses = self._concepts("ag:Status", "skos:prefLabel")
        self.approximations = self._concepts("ag:Approximation", "skos:prefLabel")
        self.measures = self._concepts("ag:Measure", "skos:prefLabel")

    # -- problems ---------------------------------------------------------------------------------

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def raise_problems(self) -> None:
        if self.problems:
            seen = []
            for line, message in sorted(self.problems, key=lambda p: p[0]):
                text = f"{self.sheet.where(line)}: {message}"
                if text not in seen:
                    seen.append(text)
            raise SheetError(str(self.sheet.path), seen)

    @property
    def new_iris(self) -> list[str]:
        return [n.iri for n in self.new.values()]

    @property
    def new_measure_iris(self) -> list[str]:
        return list(self.new_measures.values())

    # -- the vocabulary -----------------------------------------------------------------------------

    def _concepts(self, cls: str, label: str) -> dict[str, str]:
        """A controlled value by folded label or local name: {"not agreed": ag:NotAgreed, "notagreed": ...}."""
        found: dict[str, str] = {}
        for row in self.base.rows(f"SELECT ?c ?l WHERE {{ ?c a {cls} . OPTIONAL {{ ?c {label} ?l }} }}"):
            local = re.split(r"[#/]", row["c"])[-1]
            for key in (row["l"], local):
                if key:
                    found.setdefault(_key(key), row["c"])
        return found

    def _choose(self, table: dict[str, str], value: str, what: str, line: int, known: Iterable[str]) -> str | None:
        iri = table.get(_key(value))
        if iri is None:
            from rapidfuzz import process

            names = sorted(set(known))
            match = process.extractOne(value, names, score_cutoff=60)
            hint = f"; did you mean {match[0]!r}?" if match else f" (known: {', '.join(names)})"
            self.problem(line, f"unknown {what} {value!r}{hint}")
        return iri

    def relationship(self, value: str, line: int) -> str | None:
        table = {}
        for rel in self.vocabulary.relationships.values():
            table.setdefault(_key(rel.name), rel.iri)
            table.setdefault(_key(rel.label), rel.iri)
        known = [rel.name for rel in self.vocabulary.relationships.values()]
        return self._choose(table, value.removeprefix("ag:"), "relationship type", line, known)

    def status(self, value: str, line: int) -> str | None:
        return self._choose(self.statuses, value.removeprefix("ag:"), STATUS, line,
                            self._labels("ag:Status"))

    def _labels(self, cls: str) -> list[str]:
        return [r["l"] for r in self.base.rows(f"SELECT ?l WHERE {{ ?c a {cls} ; skos:prefLabel ?l }}")]

    def lineage(self, cls: str) -> set[str]:
        return self.base.lineage(cls)

    def types_of(self, iri: str) -> set[str]:
        if iri in self.existing:
            return self.existing[iri].types
        for new in self.new.values():
            if new.iri == iri:
                return {new.cls}
        return set()

    def label_of(self, iri: str) -> str:
        if iri in self.existing:
            return self.existing[iri].label
        for new in self.new.values():
            if new.iri == iri:
                return new.proposal.label
        return iri.rsplit("/", 1)[-1]

    def fits(self, iri: str, cls: str | None) -> bool:
        if not cls:
            return True
        return any(cls in self.lineage(t) for t in self.types_of(iri))

    def range_of(self, prop: str) -> str | None:
        rows = self.base.rows("SELECT ?r WHERE {\n#@values\n?p rdfs:range ?r }", p=prop)
        return rows[0]["r"] if rows else None

    def domain_of(self, prop: str) -> str | None:
        rows = self.base.rows("SELECT ?d WHERE {\n#@values\n?p rdfs:domain ?d }", p=prop)
        return rows[0]["d"] if rows else None

    # -- the whole check ----------------------------------------------------------------------------

    def check(self) -> None:
        self._source()
        self._entities()
        self._identifiers()
        for claim in self.sheet.accepted_claims:
            self._claim(claim)
        for figure in self.sheet.accepted_figures:
            self._figure(figure)

    def _source(self) -> None:
        sheet, lines = self.sheet, self.sheet.lines
        doc = find_document(self.base, sheet.source_id)
        if doc is None:
            self.problem(lines.get("source.id", 1), f"no source document agid:{self.doc_local} in the graph "
                                                    "(store the text with actorgraph add-source first)")
            self.raise_problems()
        assert doc is not None
        self.doc = doc
        if doc.reporting not in self.existing and doc.reporting not in self.used:
            doc.reporting = ""
        if sheet.text_file != doc.text_file:
            self.problem(lines.get("source.text_file", 1), f"text_file {sheet.text_file!r} is not the document's "
                                                           f"stored text {doc.text_file!r}")
        path = (self.base.graph_dir / doc.text_file).resolve()
        if not path.is_relative_to(self.base.graph_dir.resolve()):
            self.problem(lines.get("source.text_file", 1), f"{doc.text_file} is outside the graph directory")
            self.raise_problems()
        try:
            data = path.read_bytes()
        except OSError as err:
            self.problem(lines.get("source.text_file", 1), f"cannot read {doc.text_file} ({err.strerror})")
            self.raise_problems()
        digest = sha256_of(data)
        if sheet.sha256 != digest:
            self.problem(lines.get("source.sha256", 1), f"sha256 is not that of {doc.text_file} ({digest}): the "
                                                        "sheet was drafted from another text")
        elif doc.sha256 and doc.sha256 != digest:
            self.problem(lines.get("source.sha256", 1), f"{doc.text_file} has changed since add-source "
                                                        "recorded its SHA-256")
        try:
            self.text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.problem(lines.get("source.text_file", 1), f"{doc.text_file} is not UTF-8 text")
        self.raise_problems()

    # -- entities ---------------------------------------------------------------------------------------

    def _entities(self) -> None:
        from .duplicates import Named, find_duplicates

        for proposal in self.sheet.entities:
            if not proposal.accept:
                self.rejected_keys.add(proposal.key)
        for proposal in self.sheet.accepted_entities:
            if proposal.same_as is not None:
                target = self._existing_entity(proposal.same_as, proposal.at("same_as"), "same_as")
                if target:
                    self.keys[proposal.key] = target
                else:
                    self.broken_keys.add(proposal.key)
                continue
            iri = ID + proposal.key
            if iri in self.existing or iri in self.used:
                label = self.existing[iri].label if iri in self.existing else proposal.key
                self.problem(proposal.at("key"), f"agid:{proposal.key} is already in the graph ({label}); to mean "
                                                 f"it, write same_as: {proposal.key}; for a new entity, choose "
                                                 "another key")
                self.broken_keys.add(proposal.key)
                continue
            cls = self._entity_class(proposal)
            if cls:
                self.new[proposal.key] = _New(proposal, iri, cls, [])
                self.keys[proposal.key] = iri
            else:
                self.broken_keys.add(proposal.key)
        for new in self.new.values():  # a new entity may be declared distinct from another new one
            for name in new.proposal.distinct_from:
                other = self.keys.get(name) if name in self.new else \
                    self._existing_entity(name, new.proposal.at("distinct_from"), "distinct_from")
                if other:
                    new.distinct.append(other)
        named = [Named(e.iri, tuple(e.names), frozenset(e.types)) for e in self.existing.values()]
        named += [Named(n.iri, (n.proposal.label, *n.proposal.aliases), frozenset({n.cls}))
                  for n in self.new.values()]
        distinct = self.base.distinct_pairs() | {frozenset((n.iri, d)) for n in self.new.values()
                                                 for d in n.distinct}
        by_iri = {n.iri: n for n in self.new.values()}
        for pair in find_duplicates(named, self.lineage, distinct, among=set(by_iri)):
            mine = by_iri.get(pair.second) or by_iri[pair.first]
            other = pair.first if mine.iri == pair.second else pair.second
            if other in by_iri:
                what = f"the sheet's entity {other.removeprefix(ID)!r}"
                fix = "merge them, or list one under the other's distinct_from"
            else:
                what = f"agid:{other.removeprefix(ID)} ({self.existing[other].label})"
                fix = f"write same_as: {other.removeprefix(ID)} to use it, or distinct_from: [{other.removeprefix(ID)}]"
            self.problem(mine.proposal.line, f"new entity {mine.proposal.key!r} is probably {what}: "
                                             f"{pair.reason()}; {fix}")

    def _identifiers(self) -> None:
        """Identifiers the text gives for an accepted entity: a known scheme, in its form, and an excerpt
        that is a span of the text and contains the identifier (it becomes the identifier's origin)."""
        schemes = self.vocabulary.identifiers
        table = {}
        for scheme in schemes.values():
            table.setdefault(_key(scheme.name), scheme.iri)
            table.setdefault(_key(scheme.label), scheme.iri)
        carried = {(r["p"], r["v"]): r["e"] for r in self.base.rows(
            "SELECT ?e ?p ?v WHERE { ?p rdfs:subPropertyOf ag:externalIdentifier . ?e ?p ?v }")}
        for proposal in self.sheet.accepted_entities:
            entity = self.keys.get(proposal.key)
            for spec in proposal.identifiers:
                iri = self._choose(table, spec.scheme.removeprefix("ag:"), "identifier scheme", spec.at("scheme"),
                                   [s.name for s in schemes.values()])
                if iri is None or entity is None:
                    continue
                scheme = schemes[iri]
                if not scheme.fits(spec.value):
                    self.problem(spec.at("value"), f"{scheme.label} must be {scheme.form or scheme.pattern}, "
                                                   f"not {spec.value!r}")
                    continue
                if spec.value not in spec.excerpt:
                    self.problem(spec.at("excerpt"), f"the excerpt does not contain {spec.value!r}")
                    continue
                self._quote(Evidence(line=spec.line, lines={QUOTE: spec.at("excerpt"), "span": spec.at("span")},
                                     quote=spec.excerpt, span=spec.span))
                holder = carried.get((iri, spec.value))
                if holder is not None and holder != entity:
                    self.problem(spec.at("value"), f"{scheme.label} {spec.value} is already agid:"
                                                   f"{holder.removeprefix(ID)}'s ({self.label_of(holder)}): write "
                                                   f"same_as: {holder.removeprefix(ID)}")
                    continue
                if holder is None:
                    self.identifiers.append((entity, iri, spec))

    def _entity_class(self, proposal: EntityProposal) -> str | None:
        cls = self.vocabulary.class_named(proposal.type.removeprefix("ag:"))
        entity = ONT + "Entity"
        if cls is None or not self.vocabulary.is_a(cls.iri, entity):
            from rapidfuzz import process

            known = sorted(c.name for c in self.vocabulary.classes.values() if self.vocabulary.is_a(c.iri, entity))
            match = process.extractOne(proposal.type, known, score_cutoff=60)
            hint = f"; did you mean {match[0]!r}?" if match else ""
            self.problem(proposal.at("type"), f"unknown entity type {proposal.type!r}{hint}")
            return None
        return cls.iri

    def _existing_entity(self, text: str, line: int, what: str) -> str | None:
        """An entity of the graph named by ``text`` (id or exact name), for same_as and distinct_from."""
        local = text.removeprefix("agid:").removeprefix(ID)
        if ID + local in self.existing:
            return ID + local
        matches = sorted(e.iri for e in self.existing.values() if fold(text) in {fold(n) for n in e.names})
        if len(matches) == 1:
            return matches[0]
        self._name_problem(text, matches, line, what)
        return None

    def _name_problem(self, text: str, matches: list[str], line: int, what: str) -> None:
        if matches:
            listed = ", ".join(f"agid:{m.removeprefix(ID)} ({self.label_of(m)})" for m in matches[:6])
            self.problem(line, f"{what}: {text!r} names more than one entity: {listed}; use the id")
            return
        from rapidfuzz import fuzz, process

        choices = {}
        for entity in self.existing.values():
            for name in (*entity.names, entity.iri.removeprefix(ID)):
                choices.setdefault(name, entity.iri)
        for new in self.new.values():
            for name in (new.proposal.label, *new.proposal.aliases):
                choices.setdefault(name, new.iri)
        for key, iri in self.keys.items():
            choices.setdefault(key, iri)
        match = process.extractOne(fold(text), sorted(choices), scorer=fuzz.WRatio, processor=fold,
                                   score_cutoff=70)
        hint = ""
        if match:
            iri = choices[match[0]]
            hint = f"; did you mean {match[0]!r} (agid:{iri.removeprefix(ID)})?"
        self.problem(line, f"{what}: {text!r} names no entity{hint}")

    # -- names in claims --------------------------------------------------------------------------------

    def resolve(self, text: str, line: int, what: str, reporting: bool = False) -> str | None:
        """The IRI a claim's subject, object, asserted_by... names (see docs/review-sheet.md)."""
        if reporting and text == "reporting":
            if not self.doc.reporting:
                self.problem(line, f"{what}: the document has no reporting party "
                                   f"agid:doc-{self.doc.name}-reporting; name who asserts it")
                return None
            return self.doc.reporting
        if text in self.keys:
            return self.keys[text]
        if text in self.broken_keys:
            return None  # the entity's own problem is reported where it is proposed
        if text in self.rejected_keys:
            self.problem(line, f"{what}: the sheet's entity {text!r} is not accepted (set accept: true)")
            return None
        local = text.removeprefix("agid:").removeprefix(ID)
        if ID + local in self.existing:
            return ID + local
        if text.startswith(("agid:", ID)):
            self._name_problem(text, [], line, what)
            return None
        wanted = fold(text)
        matches = sorted({e.iri for e in self.existing.values() if wanted in {fold(n) for n in e.names}}
                         | {n.iri for n in self.new.values()
                            if wanted in {fold(x) for x in (n.proposal.label, *n.proposal.aliases)}})
        if len(matches) == 1:
            return matches[0]
        self._name_problem(text, matches, line, what)
        return None

    # -- claims and figures -----------------------------------------------------------------------------

    def _quote(self, item: Evidence) -> None:
        from .validate import _fold, _matching_start

        quote, text, shown = item.quote, self.text, self.doc.text_file
        if not quote:
            return
        found = [m.start() for m in re.finditer(re.escape(quote), text)]
        if item.span is not None:
            start, end = item.span
            if text[start:end] == quote:
                return
            if end > len(text):
                self.problem(item.at("span"), f"span [{start}, {end}] runs past the end of {shown} "
                                              f"({len(text)} characters)")
                return
            if found:
                places = ", ".join(f"[{s}, {s + len(quote)}]" for s in found[:3])
                self.problem(item.at("span"), f"quote is in {shown} at {places}, not at its span [{start}, {end}]")
                return
            where = f" at [{start}, {end}]"
        elif found:
            return
        else:
            where = ""
        if _fold(quote) in _fold(text):
            why = "it differs only in quotation marks, dashes, spaces or Unicode form"
        else:
            why = f"the text has only its first {_matching_start(quote, text)} of {len(quote)} characters"
        self.problem(item.at(QUOTE), f"{QUOTE} is not in {shown}{where} ({why})")

    def _evidence(self, item: Evidence) -> dict | None:
        self._quote(item)
        asserted = self.resolve(item.asserted_by, item.at(ASSERTED_BY), ASSERTED_BY, reporting=True)
        status = self.status(item.status, item.at(STATUS))
        if asserted and not self.fits(asserted, self.range_of(ONT + "assertedBy")):
            self.problem(item.at(ASSERTED_BY), f"{ASSERTED_BY}: {self.label_of(asserted)} is not an actor, so it "
                                               "cannot assert anything")
        return {"asserted": asserted, STATUS: status}

    def _claim(self, claim: ClaimProposal) -> None:
        evidence = self._evidence(claim)
        rel = self.relationship(claim.relationship, claim.at("relationship"))
        subject = self.resolve(claim.subject, claim.at("subject"), "subject")
        obj = self.resolve(claim.object, claim.at("object"), "object")
        event = self.resolve(claim.in_event, claim.at("in_event"), "in_event") if claim.in_event else None
        issuer = self.resolve(claim.issued_by, claim.at("issued_by"), "issued_by") if claim.issued_by else None
        if rel:
            relation = self.vocabulary.relationships[rel]
            for role, iri, cls, key in (("subject", subject, relation.domain, "subject"),
                                        ("object", obj, relation.range, "object")):
                if iri and not self.fits(iri, cls):
                    kinds = ", ".join(sorted(self._class_label(t) for t in self.types_of(iri))) or "untyped"
                    self.problem(claim.at(key), f"{relation.label!r} needs {_a(self._class_label(cls))} as its "
                                                f"{role}, but {self.label_of(iri)} is {_a(kinds)}")
        if event and not self.fits(event, self.range_of(ONT + "inEvent")):
            self.problem(claim.at("in_event"), f"in_event: {self.label_of(event)} is not an event")
        if issuer and not self.fits(issuer, self.range_of(ONT + "issuedBy")):
            self.problem(claim.at("issued_by"), f"issued_by: {self.label_of(issuer)} is not an actor")
        denied = self._denied(claim) if claim.denies else None
        if None in (rel, subject, obj) or None in evidence.values() or (claim.in_event and not event) \
                or (claim.issued_by and not issuer) or (claim.denies and not denied):
            return
        self.claims.append((claim, {**evidence, "rel": rel, "subject": subject, "object": obj, "in_event": event,
                                    "issuer": issuer, "denies": denied}))

    def _denied(self, claim: ClaimProposal) -> str | None:
        """The statement a denial contradicts: a claim of this sheet by id, or a statement of the graph."""
        target = claim.denies or ""
        if target == claim.id:
            self.problem(claim.at("denies"), "denies: a claim cannot deny itself")
            return None
        ids = {c.id for c in self.sheet.claims} | {f.id for f in self.sheet.figures}
        if target in ids:
            accepted = {c.id for c in self.sheet.accepted_claims} | {f.id for f in self.sheet.accepted_figures}
            if target not in accepted:
                self.problem(claim.at("denies"), f"denies: claim {target!r} is not accepted (set accept: true)")
                return None
            return f"{ID}st-{self.name}-{target}"
        local = target.removeprefix("agid:").removeprefix(ID)
        rows = self.base.rows("SELECT ?c WHERE {\n#@values\n?s a ?c . ?c rdfs:subClassOf* ag:Statement }", s=ID + local)
        if rows:
            return ID + local
        self.problem(claim.at("denies"), f"denies: {target!r} is neither a claim of this sheet nor a statement "
                                         "of the graph")
        return None

    def _class_label(self, cls: str | None) -> str:
        if not cls:
            return "anything"
        known = self.vocabulary.classes.get(cls)
        return known.label if known else cls.rsplit("#", 1)[-1]

    def _figure(self, figure: FigureProposal) -> None:
        evidence = self._evidence(figure)
        approx = self._choose(self.approximations, figure.approximation.removeprefix("ag:"), "approximation",
                              figure.at("approximation"), self._labels("ag:Approximation") + ["exact"])
        measure = self._measure(figure)
        describes = self.resolve(figure.describes, figure.at("describes"), "describes")
        if figure.value is None:
            return
        if not figure.unit.strip():
            self.problem(figure.at("unit"), "unit must say what the number counts, in words")
        if describes and not self.fits(describes, self.range_of(ONT + "describes")):
            self.problem(figure.at("describes"), f"describes: {self.label_of(describes)} is not an entity")
        if None in (approx, measure, describes) or None in evidence.values():
            return
        self.figures.append((figure, {**evidence, "approx": approx, "measure": measure, "describes": describes}))

    def _measure(self, figure: FigureProposal) -> str | None:
        """An existing measure by label or local name; a new label creates a measure, unless it is so
        close to an existing one that it is probably a typo."""
        value = figure.measure.removeprefix("ag:")
        found = self.measures.get(_key(value)) or self.new_measures.get(_key(value))
        if found:
            return found
        from rapidfuzz import fuzz, process

        labels = self._labels("ag:Measure")
        match = process.extractOne(value, labels, scorer=fuzz.ratio, score_cutoff=85)
        if match:
            self.problem(figure.at("measure"), f"unknown measure {value!r}; did you mean {match[0]!r}?")
            return None
        iri = f"{ID}measure-{_slug(value)}"
        if iri in self.used:
            self.problem(figure.at("measure"), f"a new measure {value!r} would be agid:{iri.removeprefix(ID)}, "
                                               "which is already in the graph")
            return None
        self.new_measures[_key(value)] = iri
        self.new_measure_labels[iri] = " ".join(value.split())
        return iri

    # -- removing what an earlier run added --------------------------------------------------------------

    def check_dropped_triples(self, old_source: Path) -> None:
        """A direct triple this source wrote before, and now drops, may be the one another source's
        statement stands on (``add`` writes a triple only once in the graph)."""
        import pyoxigraph as ox

        if not old_source.exists():
            return
        try:
            old = {tuple(term.value for term in quad.triple) for quad in ox.parse(path=str(old_source),
                                                                                 format=ox.RdfFormat.TURTLE)}
        except (SyntaxError, OSError):
            return  # a broken earlier file is simply replaced
        relationships = set(self.vocabulary.relationships)
        kept = {(info["subject"], info["rel"], info["object"]) for _, info in self.claims}
        for s, p, o in sorted(old):
            if p not in relationships or (s, p, o) in kept or self.base.has_triple(s, p, o):
                continue
            rows = self.base.rows("SELECT ?st WHERE {\n#@values\n"
                                  "?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }", s=s, p=p, o=o)
            if rows:
                self.problem(1, f"the triple {self._ref(s)} {self._ref(p)} {self._ref(o)}, which this source stated "
                                f"before, is what {self._ref(rows[0]['st'])} stands on; keep its claim accepted")

    def check_dropped(self, old_block: str) -> None:
        """An entity this source added before, and now drops, must not be in use elsewhere."""
        kept = set(self.new_iris) | set(self.new_measure_iris)
        for match in re.finditer(r"^agid:([\w.-]*[\w-])\s+a\s", old_block, re.MULTILINE):
            iri = ID + match.group(1)
            if iri not in kept and iri in self.used:
                self.problem(1, f"agid:{match.group(1)}, which this source added before, is used elsewhere in "
                                "the graph; keep it in the sheet (accept: true) or change what uses it first")

    # -- writing ------------------------------------------------------------------------------------------

    def _ref(self, iri: str) -> str:
        for prefix in ("agid", "ag"):
            namespace = PREFIXES[prefix]
            if iri.startswith(namespace) and _LOCAL.match(iri[len(namespace):]):
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"

    def _per(self, asserted: str) -> str:
        return "the article" if asserted == self.doc.reporting else self.label_of(asserted)

    def _status_label(self, status: str) -> str:
        rows = self.base.rows("SELECT ?l WHERE {\n#@values\n?s skos:prefLabel ?l }", s=status)
        return rows[0]["l"] if rows else status.rsplit("#", 1)[-1]

    def _statement(self, item: Evidence, iri: str, cls: str, label: str, subject: str, predicate: str, obj: str,
                   extra: list[str], info: dict) -> list[str]:
        lit = turtle.literal
        lines = [
            f"{self._ref(iri)} a {self._ref(cls)} ;",
            f"    rdfs:label {lit(label)} ;",
            f"    rdf:subject {self._ref(subject)} ; rdf:predicate {self._ref(predicate)} ; "
            f"rdf:object {self._ref(obj)} ;",
            f"    ag:quote {lit(item.quote)} ;",
            *[f"    {line} ;" for line in extra],
            f"    ag:source {self._ref(self.doc.iri)} ;",
            f"    ag:assertedBy {self._ref(info['asserted'])} ;",
            f"    ag:status {self._ref(info[STATUS])} ;",
        ]
        for key, prop in date_properties(self.base.kg.evidence_fields).items():
            spec = item.dates.get(key)
            if spec:
                lines.append(f"    {self._ref(prop)} {turtle.date_node(spec.date, spec.inferred, spec.basis)} ;")
        if item.note:
            lines.append(f"    ag:note {lit(item.note)} ;")
        lines[-1] = lines[-1][:-2] + " ."
        return lines

    def source_turtle(self) -> str:
        lit = turtle.literal
        body: list[str] = []
        written: set[tuple[str, str, str]] = set()
        statement_class = ONT + "Statement"
        listing_class = self.domain_of(ONT + "issuedBy") or statement_class
        for claim, info in self.claims:
            triple = (info["subject"], info["rel"], info["object"])
            relation = self.vocabulary.relationships[info["rel"]]
            label = (f"{self.label_of(info['subject'])} {relation.label} {self.label_of(info['object'])} "
                     f"({self._status_label(info[STATUS])}, per {self._per(info['asserted'])})")
            extra = []
            if claim.role:
                extra.append(f"ag:role {lit(claim.role)}")
            if claim.reason:
                extra.append(f"ag:reason {lit(claim.reason)}")
            if info["in_event"]:
                extra.append(f"ag:inEvent {self._ref(info['in_event'])}")
            if info["issuer"]:
                extra.append(f"ag:issuedBy {self._ref(info['issuer'])}")
            if claim.content:
                extra.append(f"ag:content {lit(claim.content)}")
            if claim.scope:
                extra.append(f"ag:scope {lit(claim.scope)}")
            if claim.scope_count is not None:
                extra.append(f"ag:scopeCount {claim.scope_count}")
            if info["denies"]:
                extra.append(f"ag:denies {self._ref(info['denies'])}")
            if claim.inferred:
                extra.append(f"ag:inferred true ; ag:inferenceBasis {lit(claim.basis or '')}")
            body.append(f"# claim {claim.id}")
            if triple not in written:
                written.add(triple)
                direct = " ".join(self._ref(t) for t in triple) + " ."
                # Once in the graph is enough: the store's union of files would give a triple stated in
                # two files twice, in every query that matches it.
                body.append(f"# {direct}  (stated in another file)" if self.base.has_triple(*triple) else direct)
            cls = listing_class if info["issuer"] else statement_class
            body += self._statement(claim, f"{ID}st-{self.name}-{claim.id}", cls, label, *triple, extra, info)
            body.append("")
        for figure, info in self.figures:
            fig = f"{ID}fig-{self.name}-{figure.id}"
            fig_label = self._figure_label(figure, info)
            body.append(f"# figure {figure.id}")
            lines = [f"{self._ref(fig)} a ag:Figure ;", f"    rdfs:label {lit(fig_label)} ;",
                     f"    ag:value {turtle.number(figure.value)} ; ag:unit {lit(' '.join(figure.unit.split()))} ;",
                     f"    ag:measures {self._ref(info['measure'])} ; ag:approximation {self._ref(info['approx'])} ;"]
            if figure.basis:
                lines.append(f"    ag:basis {lit(figure.basis)} ;")
            lines[-1] = lines[-1][:-2] + " ."
            body += lines + [""]
            describes = ONT + "describes"
            body.append(f"{self._ref(fig)} ag:describes {self._ref(info['describes'])} .")
            label = (f"{fig_label} describes {self.label_of(info['describes'])} "
                     f"({self._status_label(info[STATUS])}, per {self._per(info['asserted'])})")
            body += self._statement(figure, f"{ID}st-{self.name}-{figure.id}", statement_class, label, fig,
                                    describes, info["describes"], [], info)
            body.append("")
        head = [
            f"{SOURCE_MARK} from the review sheet {self.sheet.path.name}: the accepted claims of",
            f"# agid:{self.doc_local} ({self.doc.text_file}). To change them, edit the sheet and run `actorgraph add`",
            "# again: it rewrites this file whole.",
            "",
        ]
        text = "\n".join(body)
        prefixes = turtle.prefix_lines(sorted(set(turtle.used_prefixes(text)) | {"ag", "agid"},
                                              key=list(PREFIXES).index))
        return "\n".join(head) + prefixes + "\n" + text.rstrip("\n") + "\n"

    def _figure_label(self, figure: FigureProposal, info: dict) -> str:
        approx = _key(self._approx_label(info["approx"]))
        lead = "" if approx in ("exactly", "exact") else approx + " "
        value = f"{figure.value:,}" if isinstance(figure.value, int) else format(figure.value, ",f")
        text = f"{lead}{value} {' '.join(figure.unit.split())} ({self._measure_label(info['measure'])}, " \
               f"per {self._per(info['asserted'])})"
        return text[0].upper() + text[1:]

    def _approx_label(self, iri: str) -> str:
        rows = self.base.rows("SELECT ?l WHERE {\n#@values\n?a skos:prefLabel ?l }", a=iri)
        return rows[0]["l"] if rows else ""

    def _measure_label(self, iri: str) -> str:
        if iri in self.new_measure_labels:
            return self.new_measure_labels[iri]
        rows = self.base.rows("SELECT ?l WHERE {\n#@values\n?m skos:prefLabel ?l }", m=iri)
        return rows[0]["l"] if rows else iri.rsplit("#", 1)[-1]

    def entity_block(self) -> str:
        if not self.new and not self.new_measures and not self.identifiers:
            return ""
        lit = turtle.literal
        lines = [_BEGIN.format(doc=self.doc_local), ""]
        for new in self.new.values():
            proposal = new.proposal
            parts = [f"agid:{proposal.key} a {self._ref(new.cls)} ;", f"    rdfs:label {lit(proposal.label)} ;"]
            if proposal.aliases:
                parts.append("    skos:altLabel " + ", ".join(lit(a) for a in proposal.aliases) + " ;")
            if proposal.comment:
                parts.append(f"    rdfs:comment {lit(proposal.comment)} ;")
            if new.distinct:
                parts.append("    owl:differentFrom " + ", ".join(self._ref(d) for d in new.distinct) + " ;")
            parts[-1] = parts[-1][:-2] + " ."
            lines += parts + [""]
        for entity, scheme_iri, spec in self.identifiers:
            scheme = self.vocabulary.identifiers[scheme_iri]
            origin = f"{ID}xid-{self.name}-{entity.removeprefix(ID)}-{_slug(scheme.name)}"
            if len(origin) > 200 or not _LOCAL.match(origin.removeprefix(ID)):
                origin = f"{ID}xid-{self.name}-{_slug(entity.removeprefix(ID))[:60]}-{_slug(scheme.name)}"
            label = f"{scheme.label} {spec.value} of {self.label_of(entity)} (given by agid:{self.doc_local})"
            lines += [
                f"{self._ref(entity)} {self._ref(scheme_iri)} {lit(spec.value)} .",
                f"{self._ref(origin)} a ag:IdentifierOrigin ;",
                f"    rdfs:label {lit(label)} ;",
                f"    ag:identifies {self._ref(entity)} ; ag:identifierScheme {self._ref(scheme_iri)} ; "
                f"ag:identifierValue {lit(spec.value)} ;",
                f"    ag:foundIn {self._ref(self.doc.iri)} ;",
                f"    ag:excerpt {lit(spec.excerpt)} .",
                "",
            ]
        for iri, label in self.new_measure_labels.items():
            lines.append(f"{self._ref(iri)} a ag:Measure ; skos:inScheme ag:measures-scheme ;\n"
                         f"    rdfs:label {lit(label)} ; skos:prefLabel {lit(label, 'en')} .")
            lines.append("")
        lines.append(_END.format(doc=self.doc_local))
        return "\n".join(lines) + "\n"

    # -- the final check: the whole graph, validated ------------------------------------------------------

    def validate(self, source_file: Path, source_text: str | None, actors_file: Path, actors_text: str) -> None:
        """Validate the graph with the new files in a scratch copy; report what concerns this source."""
        from .validate import validate

        gdir = self.base.graph_dir
        with tempfile.TemporaryDirectory(prefix="actorgraph-add-") as scratch:
            copy = Path(scratch) / "graph"
            shutil.copytree(gdir, copy, symlinks=True)
            if source_text is None:
                (copy / source_file.name).unlink(missing_ok=True)
            else:
                (copy / source_file.name).write_text(source_text, encoding="utf-8")
            (copy / actors_file.name).write_text(actors_text, encoding="utf-8")
            report = validate(copy, self.base.ontology_dir)
        ours = {f"agid:st-{self.name}-", f"agid:fig-{self.name}-", f"agid:xid-{self.name}-"}
        new = {self._ref(i) for i in (*self.new_iris, *self.new_measure_iris)}
        items = {f"agid:st-{self.name}-{i.id}": i for i in (*self.sheet.claims, *self.sheet.figures)}
        items.update({f"agid:fig-{self.name}-{f.id}": f for f in self.sheet.figures})
        entities = {f"agid:{n.proposal.key}": n.proposal for n in self.new.values()}
        for violation in report.violations:
            focus = violation.focus
            mentions = " ".join(filter(None, (focus, violation.value, violation.message)))
            if not (focus.startswith(tuple(ours)) or focus in new or any(n in mentions.split() for n in new)
                    or (violation.location or "").rsplit(":", 1)[0].endswith(f"/{source_file.name}")):
                continue
            owner = items.get(focus) or entities.get(focus)
            line = owner.line if owner is not None else 1
            # The file:line would point into files not written yet: the sheet's line says where instead.
            unwritten = replace(violation, location=None) if owner is not None else violation
            self.problem(line, f"the graph would not validate: {unwritten.line().replace(str(copy), str(gdir))}")


def _key(text: str) -> str:
    """A vocabulary name as compared: case, accents, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_-]+", "", fold(text))


def _slug(text: str) -> str:
    from .sources import slug

    return slug(text)


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
