"""``actorgraph import ftm FILE``: FollowTheMoney entities (an Aleph collection's export, an OpenSanctions
dataset) as a new source of draft claims, through the same review and ``add`` as any article.

The file itself is the source: ``add-source`` stores it byte for byte under ``graph/sources/`` with its
SHA-256, so every claim can be checked against it like a claim from an article. Its "quotes" are exact
spans of that text:

- a link (Membership, Directorship, Occupancy, Sanction...) quotes its whole line, the JSON object that
  says it;
- a claim read from a property of an entity (a person's ``nationality``) quotes the entity's line that
  writes the property: a whole record, like a link, so the quote is unique in the file and says whose
  property it is (``"nationality":["sv"]`` alone would occur once per Salvadoran in the file);
- an identifier the file gives (a ``wikidataId``; with ``opensanctions``, the entity's own id) records
  the key as written (``"wikidataId":["Q4115189"]``) as its origin's excerpt.

What becomes what is read from ``ontology/ftm.ttl`` (``ag:ftmImport``, and the export's ``ag:ftmProperty``
in reverse for roles, reasons, authorities and dates). Each claim is the file's own reporting, status
reported; a link of a schema that no relationship type imports is proposed without one, unaccepted, for
the reviewer to choose. Nothing is written until everything has been read and checked: a malformed file
is one error with its ``file:line``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataFileError, UsageError
from .evidence import ASSERTED_BY, QUOTE, REASON, ROLE, STATUS, date_properties
from .names import fold
from .store import ID, ONT, DataSource, data_source

if TYPE_CHECKING:
    from followthemoney import EntityProxy, Schema

    from .kg import KnowledgeGraph

# The sheet's key of the authority a listing is issued by (docs/review-sheet.md): not an evidence field.
ISSUED_BY = "issued_by"


# ----------------------------------------------------------------------------------------------
# Reading the file
# ----------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One entity as one line of the file: where it stands in the text, and where each of its top-level
    keys and properties is written (``("properties", "nationality") -> (start, end)``)."""

    number: int
    start: int
    end: int
    spans: dict[tuple[str, ...], tuple[int, int]]


@dataclass
class Read:
    """The file's text and entities (fragments with one id merged), with the lines that give each."""

    text: str
    entities: dict[str, EntityProxy]
    lines: dict[str, list[Line]]

    def quote(self, span: tuple[int, int]) -> str:
        return self.text[span[0]:span[1]]

    def where(self, entity_id: str, *key: str) -> tuple[int, int] | None:
        """The span of the entity's first line that has the key (of its first line, with no key): what a
        claim quotes."""
        for line in self.lines.get(entity_id, []):
            if not key or key in line.spans:
                return line.start, line.end
        return None

    def written(self, entity_id: str, *key: str) -> tuple[int, int] | None:
        """The span of the key itself, key and value, where the entity's first line that has it writes it:
        the excerpt an identifier's origin records."""
        for line in self.lines.get(entity_id, []):
            if key in line.spans:
                return line.spans[key]
        return None


def _spans(text: str, start: int, end: int) -> dict[tuple[str, ...], tuple[int, int]]:
    """Where each key of a JSON object (and of its "properties" object) is written, key and value
    together, as [start, end) offsets into ``text``."""
    decoder = json.JSONDecoder()

    def members(at: int, prefix: tuple[str, ...]) -> dict[tuple[str, ...], tuple[int, int]]:
        found: dict[tuple[str, ...], tuple[int, int]] = {}
        at = _skip(text, at + 1)  # after "{"
        while at < end and text[at] != "}":
            key, after_key = decoder.raw_decode(text, at)
            colon = _skip(text, after_key)
            value_at = _skip(text, colon + 1)
            _, after_value = decoder.raw_decode(text, value_at)
            found[(*prefix, key)] = (at, after_value)
            if prefix == () and key == "properties" and text[value_at] == "{":
                found.update(members(value_at, ("properties",)))
            at = _skip(text, after_value)
            if at < end and text[at] == ",":
                at = _skip(text, at + 1)
        return found

    return members(_skip(text, start), ())


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r":
        at += 1
    return at


def read_ftm(path: Path) -> Read:
    """Read an FtM file (one entity a line) with the followthemoney package, checking every line: a line
    that is not an entity, an unknown schema or property, or a value FtM refuses is a ``DataFileError``
    naming the file and line."""
    from followthemoney import model

    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if not path.is_file():
        raise DataFileError(f"{path}: not a regular file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataFileError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise DataFileError(f"{path}: cannot read ({err.strerror})") from None
    entities: dict[str, EntityProxy] = {}
    lines: dict[str, list[Line]] = defaultdict(list)
    offset = 0
    for number, raw in enumerate(text.splitlines(keepends=True), 1):
        start, body = offset, raw.rstrip("\r\n")
        offset += len(raw)
        if not body.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(body)
        except json.JSONDecodeError as err:
            raise DataFileError(f"{where}: not JSON ({err.msg} at column {err.colno})") from None
        if not isinstance(data, dict) or not isinstance(data.get("schema"), str) or not data.get("id"):
            raise DataFileError(f"{where}: not an FtM entity (a JSON object with an id and a schema)")
        if not isinstance(data["id"], str):
            raise DataFileError(f"{where}: the entity's id must be text")
        schema = model.get(data["schema"])
        if schema is None:
            raise DataFileError(f"{where}: unknown FtM schema {data['schema']!r}")
        properties = data.get("properties", {})
        if not isinstance(properties, dict):
            raise DataFileError(f"{where}: properties must be an object")
        entity = model.make_entity(schema)
        entity.id = data["id"]
        for name, values in sorted(properties.items()):
            prop = schema.get(name)
            if prop is None:
                raise DataFileError(f"{where}: {schema.name} has no property {name!r}")
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise DataFileError(f"{where}: {schema.name}.{name} must be text or a list of texts")
            for value in values:
                if prop.stub:
                    raise DataFileError(f"{where}: {schema.name}.{name} is a reverse property; it cannot be set")
                cleaned = prop.type.clean(value, proxy=None)
                if cleaned is None:
                    raise DataFileError(f"{where}: {schema.name}.{name}: {value!r} is not a valid "
                                        f"{prop.type.label.lower()}")
                entity.unsafe_add(prop, cleaned, cleaned=True)
        try:
            spans = _spans(text, start, start + len(body))
        except (json.JSONDecodeError, IndexError):  # a line json.loads read, but not as one object
            spans = {}
        if entity.id in entities:
            try:
                entities[entity.id] = entities[entity.id].merge(entity)
            except Exception as err:  # noqa: BLE001 - FtM's InvalidData: fragments of incompatible schemata
                raise DataFileError(f"{where}: {entity.id} cannot be merged with its earlier lines ({err})") \
                    from None
        else:
            entities[entity.id] = entity
        lines[entity.id].append(Line(number, start, start + len(body), spans))
    if not entities:
        raise DataFileError(f"{path}: no FtM entities in it")
    return Read(text, entities, dict(lines))


# ----------------------------------------------------------------------------------------------
# What the ontology says about importing
# ----------------------------------------------------------------------------------------------


@dataclass
class ImportMapping:
    classes: dict[str, str] = field(default_factory=dict)  # FtM schema -> class IRI
    links: dict[str, str] = field(default_factory=dict)  # FtM schema -> relationship IRI
    properties: dict[tuple[str, str], str] = field(default_factory=dict)  # (schema, prop) -> relationship IRI
    ends: dict[str, tuple[str, str]] = field(default_factory=dict)  # relationship -> (subject prop, object prop)
    evidence: dict[str, list[str]] = field(default_factory=dict)  # statement property -> FtM qualified names
    # The sheet's key for each statement property a link's values can fill (docs/review-sheet.md): the
    # evidence fields' keys of the role, the reason and the dates, and the authority's.
    sheet_keys: dict[str, str] = field(default_factory=dict)
    date_keys: dict[str, str] = field(default_factory=dict)


def import_mapping(kg: KnowledgeGraph) -> ImportMapping:
    from .export.ftm import load_mapping

    found = ImportMapping()
    exported = load_mapping(kg)
    for row in kg.rows("SELECT ?thing ?value WHERE { ?thing ag:ftmImport ?value }"):
        thing, value = row["thing"], str(row["value"])
        if thing in kg.vocabulary.relationships:
            if ":" in value:
                found.properties[tuple(value.split(":", 1))] = thing  # type: ignore[index]
            else:
                found.links[value] = thing
        else:
            found.classes[value] = thing
    for rel, (schema, subject, obj) in exported.links.items():
        found.ends[rel] = (schema, subject, obj)  # type: ignore[assignment]
    fields = kg.evidence_fields
    found.sheet_keys = {f.iri: f.key for f in fields if f.key in (ROLE, REASON)} | {ONT + "issuedBy": ISSUED_BY}
    found.date_keys = {iri: key for key, iri in date_properties(fields).items()}
    found.evidence = {p: q for p, q in exported.properties.items() if p in found.sheet_keys or p in found.date_keys}
    return found


def _nearest(schema: Schema, table: dict[str, str]) -> str | None:
    """The value for the nearest of ``schema`` and the schemata it extends that ``table`` names."""
    for candidate in sorted(schema.schemata, key=lambda s: -len(s.schemata)):
        if candidate.name in table:
            return table[candidate.name]
    return None


# ----------------------------------------------------------------------------------------------
# The proposals
# ----------------------------------------------------------------------------------------------


@dataclass
class Proposed:
    """Everything proposed for the file, ready to be written as a review sheet."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class _Proposer:
    def __init__(self, kg: KnowledgeGraph, read: Read, opensanctions: bool, accept: bool):
        from .sources import slug

        self.kg, self.read, self.accept = kg, read, accept
        self.opensanctions = opensanctions
        self.slug = slug
        self.mapping = import_mapping(kg)
        self.out = Proposed()
        self.keys: dict[str, str] = {}  # FtM id (or "name:Class:label") -> sheet key or existing id
        self.taken = {r["e"].removeprefix(ID) for r in kg.rows("SELECT DISTINCT ?e WHERE { ?e ?p ?o }")
                      if r["e"].startswith(ID)}
        self.carried = {(r["p"].removeprefix(ONT), str(r["v"])): r["e"] for r in kg.rows(
            "SELECT ?e ?p ?v WHERE { ?p rdfs:subPropertyOf ag:externalIdentifier . ?e ?p ?v }")}
        self.by_name: dict[tuple[str, str], list[str]] = defaultdict(list)  # (folded name, class) -> IRIs
        for row in kg.rows("""SELECT ?e ?c ?n WHERE { ?e a ?c . ?c rdfs:subClassOf* ag:Entity .
                                { ?e rdfs:label ?n } UNION { ?e skos:altLabel ?n } }"""):
            self.by_name[(fold(str(row["n"])), row["c"])].append(row["e"])

    # -- entities ---------------------------------------------------------------------------------

    def new_key(self, label: str) -> str:
        base = self.slug(label) or "entity"
        key, n = base, 1
        while key in self.taken:
            n += 1
            key = f"{base}-{n}"
        self.taken.add(key)
        return key

    def existing(self, label: str, cls: str) -> str | None:
        """An existing entity of the class (or a subclass) with exactly this name, if there is one only."""
        wanted = fold(label)
        found = {iri for (name, c), iris in self.by_name.items() if name == wanted
                 and self.kg.vocabulary.is_a(c, cls) for iri in iris}
        return found.pop().removeprefix(ID) if len(found) == 1 else None

    def entity(self, ftm_id: str) -> str | None:
        """The sheet's name (key or existing id) for the file's entity, proposing it the first time."""
        if ftm_id in self.keys:
            return self.keys[ftm_id]
        from .draft import closest_names

        proxy = self.read.entities.get(ftm_id)
        if proxy is None:
            self.out.left_out["links to entities that are not in the file"] += 1
            return None
        cls = _nearest(proxy.schema, self.mapping.classes)
        if cls is None:
            self.out.left_out[f"entities of a schema nothing imports ({proxy.schema.name})"] += 1
            self.keys[ftm_id] = None  # type: ignore[assignment]
            return None
        names = [n for n in proxy.get("name", quiet=True)] or [proxy.caption]
        label = names[0]
        aliases = [a for a in dict.fromkeys([*names[1:], *proxy.get("alias", quiet=True)]) if a != label]
        identifiers = self._identifiers(proxy)
        same = next((self.carried[(i["scheme"], i["value"])] for i in identifiers
                     if (i["scheme"], i["value"]) in self.carried), None)
        key = self.new_key(label)
        comment = next((v for p in ("summary", "description", "notes") for v in proxy.get(p, quiet=True)), None)
        span = self.read.where(ftm_id)
        note = f"line {self.read.lines[ftm_id][0].number} of the file: FtM {proxy.schema.name} {ftm_id}"
        if same:
            note += f"; it carries an identifier of agid:{same.removeprefix(ID)}, so it is that entity"
        self.out.entities.append({
            "note": note, "key": key, "accept": self.accept, "label": label,
            "type": cls.removeprefix(ONT), "aliases": aliases, "comment": comment,
            "mentions": [list(span)] if span else [],
            "closest": closest_names(self.kg.names, label), "same_as": same.removeprefix(ID) if same else None,
            "distinct_from": [], "identifiers": identifiers})
        self.keys[ftm_id] = key
        return key

    def _identifiers(self, proxy: EntityProxy) -> list[dict[str, Any]]:
        """The identifiers the file gives for an entity, each with the words that give it."""
        found = []
        schemes = {s.name: s for s in self.kg.vocabulary.identifiers.values()}
        wanted = [("wikidataId", ("properties", "wikidataId"), v) for v in proxy.get("wikidataId", quiet=True)]
        if self.opensanctions:
            wanted.append(("openSanctionsId", ("id",), proxy.id))
        for scheme, key, value in wanted:
            span = self.read.written(proxy.id, *key)
            if scheme not in schemes or span is None or not schemes[scheme].fits(value):
                continue
            excerpt = self.read.quote(span)
            if value in excerpt:
                found.append({"scheme": scheme, "value": value, "excerpt": excerpt, "span": list(span)})
        return found

    def named(self, label: str, cls: str, why: str) -> str:
        """An entity the file names only in text (a sanction programme, an authority, a country): the
        existing one of that name, or a new proposal."""
        marker = f"name:{cls}:{fold(label)}"
        if marker in self.keys:
            return self.keys[marker]
        found = self.existing(label, cls)
        if found is None:
            from .draft import closest_names

            found = self.new_key(label)
            self.out.entities.append({
                "note": why, "key": found, "accept": self.accept, "label": label, "type": cls.removeprefix(ONT),
                "aliases": [], "comment": None, "mentions": [], "closest": closest_names(self.kg.names, label),
                "same_as": None, "distinct_from": [], "identifiers": []})
        self.keys[marker] = found
        return found

    def country(self, code: str) -> str | None:
        from followthemoney import registry

        name = registry.country.names.get(code)
        return self.named(name, ONT + "Country", f"the country {code!r} in the file") if name else None

    # -- claims -----------------------------------------------------------------------------------

    def claim(self, span: tuple[int, int], subject: str | None, relationship: str | None, obj: str | None,
              note: str, **extra: Any) -> None:
        """One proposed claim quoting ``span`` of the file; accepted (with --accept) when it is complete."""
        name = self.kg.vocabulary.relationships[relationship].name if relationship is not None else None
        self.out.claims.append({
            "note": note, "id": f"c{len(self.out.claims) + 1}",
            "accept": self.accept and None not in (subject, relationship, obj),
            QUOTE: self.read.quote(span), "span": list(span), "subject": subject, "relationship": name,
            "object": obj, STATUS: "reported", ASSERTED_BY: "reporting", **extra})

    def links(self) -> None:
        from followthemoney import model

        for ftm_id, proxy in sorted(self.read.entities.items(), key=lambda e: self.read.lines[e[0]][0].number):
            schema = proxy.schema
            if not schema.is_a("Interval") or schema.is_a("Thing"):
                continue
            relationship = _nearest(schema, self.mapping.links)
            declared = self.mapping.ends.get(relationship or "")
            if declared and model.get(declared[0]) is not None and schema.is_a(declared[0]):
                source, target = schema.get(declared[1]), schema.get(declared[2])
            else:
                source, target = schema.source_prop, schema.target_prop
            if source is None or target is None:
                self.out.left_out[f"intervals of a schema with no two ends ({schema.name})"] += 1
                continue
            span = self.read.where(ftm_id)
            assert span is not None
            line = self.read.lines[ftm_id][0].number
            extra, role = self._evidence(proxy)
            for subject_id in proxy.get(source):
                subject = self.entity(subject_id)
                for value in proxy.get(target):
                    obj = self._object(target, value, relationship, extra)
                    if role is None and target.range is not None and target.range.name == "Position":
                        post = self.read.entities.get(value)
                        extra[ROLE] = post.caption if post is not None else None
                    if subject is None or obj is None:
                        self.out.left_out["intervals whose ends are not both imported"] += 1
                        continue
                    note = f"line {line} of the file: FtM {schema.name} {ftm_id}"
                    self.claim(span, subject, relationship, obj, note, **extra)

    def _object(self, target, value: str, relationship: str | None, extra: dict) -> str | None:
        """The claim's object: the entity the link points at (a position's organisation), or, for a
        property that holds text (a sanction's programme), an entity of the relationship's range by name."""
        if target.type.name == "entity":
            if target.range is not None and target.range.name == "Position":
                post = self.read.entities.get(value)
                orgs = post.get("organization", quiet=True) if post is not None else []
                return self.entity(orgs[0]) if orgs else None
            return self.entity(value)
        rel = self.kg.vocabulary.relationships.get(relationship or "")
        if rel is None or rel.range is None:
            return None
        return self.named(value, rel.range, f"named as the {target.name} of a link in the file")

    def _evidence(self, proxy: EntityProxy) -> tuple[dict[str, Any], str | None]:
        """A link's role, reason, authority and dates, read through ontology/ftm.ttl in reverse: an FtM
        property goes back to the statement property whose mapping names it for the most specific schema
        (a Sanction's startDate is its listing's date, a Membership's its start)."""
        from followthemoney import model

        extra: dict[str, Any] = {ROLE: None, REASON: None, ISSUED_BY: None, "dates": {}}
        by_name: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        for prop_iri, qnames in self.mapping.evidence.items():
            for qname in qnames:
                owner_name, _, name = qname.partition(":")
                owner = model.get(owner_name)
                if owner is not None and proxy.schema.is_a(owner):
                    by_name[name].append((owner, prop_iri))
        for name, candidates in sorted(by_name.items()):
            values = proxy.get(name, quiet=True)
            if not values:
                continue
            best = [(o, p) for o, p in candidates if not any(other != o and other.is_a(o) for other, _ in candidates)]
            for _, prop_iri in sorted(best, key=lambda c: c[1]):
                if prop_iri in self.mapping.date_keys:
                    date = _date(values[0])
                    if date:
                        extra["dates"].setdefault(self.mapping.date_keys[prop_iri], date)
                elif prop_iri == ONT + "issuedBy":
                    extra[ISSUED_BY] = self.named(values[0], self._range(prop_iri),
                                                    "named as the authority of a link in the file")
                else:
                    key = self.mapping.sheet_keys[prop_iri]
                    extra[key] = extra[key] or values[0]
        return extra, extra[ROLE]

    def _range(self, prop: str) -> str:
        rows = self.kg.rows("SELECT ?r WHERE {\n#@values\n?p rdfs:range ?r }", {"p": _node(prop)})
        return rows[0]["r"] if rows else ONT + "Actor"

    def properties(self) -> None:
        """Claims read from entities' own properties (a nationality), quoting the property."""
        for ftm_id, proxy in sorted(self.read.entities.items(), key=lambda e: self.read.lines[e[0]][0].number):
            for (schema_name, name), relationship in sorted(self.mapping.properties.items()):
                if not proxy.schema.is_a(schema_name) or not proxy.get(name, quiet=True):
                    continue
                subject = self.entity(ftm_id)
                span = self.read.where(ftm_id, "properties", name)
                if subject is None or span is None:
                    continue
                prop = proxy.schema.get(name)
                for value in proxy.get(name):
                    obj = self.country(value) if prop.type.name == "country" else self.entity(value)
                    line = self.read.lines[ftm_id][0].number
                    self.claim(span, subject, relationship, obj,
                               f"line {line} of the file: {proxy.schema.name}.{name} of {ftm_id}",
                               role=None, reason=None, issued_by=None, dates={})

    def things(self) -> None:
        for ftm_id, proxy in sorted(self.read.entities.items(), key=lambda e: self.read.lines[e[0]][0].number):
            if proxy.schema.is_a("Thing") and not proxy.schema.is_a("Position"):
                self.entity(ftm_id)


def _node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _date(value: str) -> str | None:
    """An FtM date as a sheet date (YYYY, YYYY-MM or YYYY-MM-DD): a time of day is dropped."""
    from .dates import parse_date
    from .errors import BadDateError

    text = value[:10]
    try:
        return parse_date(text).text
    except BadDateError:
        return None


# ----------------------------------------------------------------------------------------------
# The command
# ----------------------------------------------------------------------------------------------


@dataclass
class Imported:
    source: str  # the document's id, doc-NAME
    text_file: Path
    sheet: Path
    stored: bool  # whether this run stored the file (False: it was already the graph's source)
    entities: int
    claims: int
    accepted: int
    identifiers: int
    notes: list[str]


def import_ftm(path: str | Path, *, title: str | None = None, name: str | None = None, url: str | None = None,
               published: str | None = None, language: str | None = None, opensanctions: bool = False,
               accept: bool = False, sheet: str | Path | None = None, force: bool = False,
               graph_dir: DataSource | str | Path | None = None, ontology_dir: str | Path | None = None) -> Imported:
    """Store the FtM file as a source (unless it already is one) and write its review sheet (never into
    the graph directory, never over an existing sheet unless ``force``). ``graph_dir`` may be the
    command's ``DataSource``."""
    from . import files
    from .sources import WorkingGraph, add_source, sha256_of, slug

    path = Path(path)
    read = read_ftm(path)
    source = data_source(graph_dir, ontology_dir)
    gdir = source.graph_dir
    digest = sha256_of(read.text.encode("utf-8"))
    graph = WorkingGraph(source)  # each file parsed once: the checks, the proposals and add_source read it
    stored = _stored(graph, digest)
    base = path.name
    for suffix in (".json", ".jsonl", ".ndjson", ".ftm"):
        base = base.removesuffix(suffix)
    source_name = stored["document"].removeprefix(ID + "doc-") if stored else (name or slug(base) or "ftm")
    target = Path(sheet) if sheet else path.with_name(f"{source_name}.sheet.yaml")
    if target.parent.resolve().is_relative_to(gdir.resolve()):
        raise UsageError(f"{target}: a review sheet is never written into the graph directory ({gdir}); "
                         "choose another place with -o")
    if files.check_target(target) is not None and not force:
        raise UsageError(f"{target} exists (a sheet under review?): give --force to replace it, or -o another file")
    proposer = _Proposer(graph.kg, read, opensanctions, accept)
    proposer.things()
    proposer.links()
    proposer.properties()
    if not stored:
        added = add_source(path, title=title or f"FollowTheMoney entities from {path.name}", published=published,
                           url=url, language=language, name=source_name, graph_dir=source, graph=graph)
        text_file, published_text = f"sources/{added.text_file.name}", published
    else:
        text_file, published_text = stored["file"], stored["published"]
    text = render_import_sheet(proposer.out, source_id=f"doc-{source_name}", text_file=text_file, sha256=digest,
                               published=published_text, file_name=path.name)
    files.write_file(target, text)
    out = proposer.out
    notes = [f"not proposed ({count:,}): {what}" for what, count in sorted(out.left_out.items())]
    return Imported(f"doc-{source_name}", gdir / text_file, target, not stored, len(out.entities),
                    len(out.claims), sum(1 for c in out.claims if c["accept"]),
                    sum(len(e["identifiers"]) for e in out.entities), notes)


def _stored(graph, digest: str) -> dict[str, Any] | None:
    rows = graph.rows("SELECT ?document ?file ?sha WHERE { ?document a ag:SourceDocument ; ag:sha256 ?sha ; "
                      "ag:textFile ?file }")
    for row in rows:
        if row["sha"] == digest:
            dates = graph.rows("SELECT ?v WHERE {\n#@values\n?d ag:publicationDate/ag:dateValue ?v }",
                               d=row["document"])
            return {"document": row["document"], "file": row["file"], "published": dates[0]["v"] if dates else None}
    return None


def render_import_sheet(proposed: Proposed, *, source_id: str, text_file: str, sha256: str, published: str | None,
                        file_name: str) -> str:
    """The review sheet (docs/review-sheet.md) of an imported file, with a comment on each proposal."""
    from .review import _Block, _comment, _flow, _item, _scalar, sheet_head

    out = [
        f"# Review sheet written by `actorgraph import ftm` for {_scalar(file_name)}, stored as {text_file}.",
        "# Nothing in it is in the graph. Each claim quotes the file itself: the whole line of the link, or of",
        "# the entity whose property it reads. Accept what you want in the graph, fix the rest",
        "# (a relationship type, an entity that is one already in the graph: same_as), then `actorgraph add`",
        f"# this file. Proposed: {len(proposed.entities)} entities, {len(proposed.claims)} claims.",
        *sheet_head(source_id, text_file, sha256, published),
        "",
        "entities:" if proposed.entities else "entities: []",
    ]
    for entity in proposed.entities:
        out += _comment(f"{entity['key']}: {entity['note']}.")
        fields = {k: v for k, v in entity.items() if k != "note"}
        fields["mentions"] = _Block([f"- [{s}, {e}]" for s, e in fields["mentions"]])
        fields["closest"] = _Block([f"- {_flow(c)}" for c in fields["closest"]])
        fields["identifiers"] = _Block([f"- {_flow(i)}" for i in fields["identifiers"]])
        out += _item(fields)
    out += ["", "claims:" if proposed.claims else "claims: []"]
    for claim in proposed.claims:
        if claim["relationship"] is None:
            out += _comment(f"{claim['id']}: no relationship type imports this link: choose one, or leave it.")
        fields = {k: v for k, v in claim.items() if k not in ("note", "dates")}
        dates = [f"{k}: {v}" for k, v in sorted(claim["dates"].items())]
        fields = {**{k: fields[k] for k in ("id", "accept", QUOTE, "span", "subject", "relationship", "object",
                                             STATUS, ASSERTED_BY)},
                  "dates": _Block(dates, "{}"), ROLE: fields[ROLE], REASON: fields[REASON],
                  ISSUED_BY: fields[ISSUED_BY], "note": claim["note"][0].upper() + claim["note"][1:] + "."}
        out += _item(fields)
    out += ["", "figures: []"]
    return "\n".join(out) + "\n"


__all__ = ["Imported", "Read", "import_ftm", "read_ftm", "render_import_sheet"]

