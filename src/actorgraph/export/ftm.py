"""FollowTheMoney (FtM): the graph as FtM entities, one JSON object a line, for Aleph, OpenSanctions and the
``ftm`` tools. Every entity is made with the ``followthemoney`` package's model, so every value is cleaned
and checked by FtM itself.

What becomes what is data, in ``ontology/ftm.ttl`` (``ag:ftmSchema``, ``ag:ftmSubject``, ``ag:ftmObject``,
``ag:ftmProperty``); this module only applies it:

- each entity of a class that has (or inherits) an FtM schema becomes an entity of that schema, with the
  values of every property that names an FtM property (names, aliases, description, Wikidata id...);
  a country also gets its ISO 3166 code (``Territory:territoryCode``), taken from FtM's own country names
  when the country's label or an alias is one of them;
- each statement of a relationship type becomes one link entity of the type's interval schema
  (Membership, Directorship, Occupancy, Sanction...), or an UnknownLink when its subject or object does not
  fit that schema's ranges; its evidence goes where FtM can hold it: the verbatim quote in
  ``description``, who asserts it and how firmly in ``summary``, the statement's IRI in ``recordId``, the
  source document in ``proof`` and ``publisher``, its dates in ``date``, ``startDate``, ``endDate``;
- a relationship type may also fill a property of its subject (a person's ``nationality``, a payment's
  ``payer``); where the subject cannot take part in a link at all (a Payment is not a Thing), the
  statement's evidence goes on the subject itself;
- source documents become ``Article`` or ``Document`` entities with their stored text.

What has no FtM schema (laws, sanction programmes, figures, a source's own reporting) is left out, and
``build_ftm`` says so in its notes. Ids are stable: ``actorgraph-`` and the IRI's local name. The output
is deterministic: entities sorted by id, properties by name, values in order.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..store import ID, ONT

if TYPE_CHECKING:
    from followthemoney import EntityProxy, Property, Schema

    from ..kg import KnowledgeGraph

ID_PREFIX = "actorgraph-"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
FALLBACK_LINK = ("UnknownLink", "subject", "object")

_MAPPING = """
SELECT ?thing ?annotation ?value WHERE {
  VALUES ?annotation { ag:ftmSchema ag:ftmSubject ag:ftmObject ag:ftmProperty }
  ?thing ?annotation ?value .
}
"""

# Every value of a property that names an FtM property, with the date a date node holds.
_VALUES = """
SELECT ?s ?p ?o ?date WHERE {
  ?p ag:ftmProperty ?ftm .
  ?s ?p ?o .
  OPTIONAL { ?o ag:dateValue ?date }
}
"""

_TYPES = """
SELECT ?thing ?type WHERE {
  { ?thing a ?type . ?type rdfs:subClassOf* ag:Entity }
  UNION
  { ?thing a ?kind . ?kind rdfs:subClassOf* ag:SourceDocument . ?thing a ?type }
}
"""

_STATEMENTS = """
SELECT ?statement ?s ?p ?o ?assertedBy ?status WHERE {
  ?p rdfs:subPropertyOf ag:relatedTo .
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?statement ag:assertedBy ?assertedBy }
  OPTIONAL { ?statement ag:status ?status }
}
"""

# What the summary of a statement says besides who asserts it and how firmly.
_QUALIFIERS = """
SELECT ?statement ?inferred ?basis ?content ?scope ?denies ?dateInferred WHERE {
  ?p rdfs:subPropertyOf ag:relatedTo .
  ?statement rdf:predicate ?p .
  OPTIONAL { ?statement ag:inferred ?inferred }
  OPTIONAL { ?statement ag:inferenceBasis ?basis }
  OPTIONAL { ?statement ag:content ?content }
  OPTIONAL { ?statement ag:scope ?scope }
  OPTIONAL { ?statement ag:denies ?denies }
  OPTIONAL { VALUES ?when { ag:pointInTime ag:startTime ag:endTime }
             ?statement ?when ?date . ?date ag:inferred true . BIND(true AS ?dateInferred) }
}
"""

_LABELS = """
SELECT ?thing ?label WHERE {
  VALUES ?property { rdfs:label skos:prefLabel }
  ?thing ?property ?label .
  FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}
"""


@dataclass
class Mapping:
    """``ontology/ftm.ttl`` as read from the store."""

    classes: dict[str, str] = field(default_factory=dict)  # class IRI -> FtM schema
    links: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # relationship -> schema, subject, object
    properties: dict[str, list[str]] = field(default_factory=dict)  # RDF property -> FtM qualified names


def load_mapping(kg: KnowledgeGraph) -> Mapping:
    """The FtM mapping the ontology declares."""
    mapping = Mapping()
    links: dict[str, dict[str, str]] = defaultdict(dict)
    for row in kg.rows(_MAPPING):
        thing, annotation, value = row["thing"], row["annotation"].removeprefix(ONT), str(row["value"])
        if annotation == "ftmProperty":
            mapping.properties.setdefault(thing, [])
            if value not in mapping.properties[thing]:
                mapping.properties[thing].append(value)
        elif thing in kg.vocabulary.relationships:
            links[thing][annotation] = value
        elif annotation == "ftmSchema":
            mapping.classes[thing] = value
    for thing, parts in links.items():
        if "ftmSchema" in parts:
            mapping.links[thing] = (parts["ftmSchema"], parts.get("ftmSubject", "subject"),
                                    parts.get("ftmObject", "object"))
    for names in mapping.properties.values():
        names.sort()
    return mapping


def entity_id(iri: str) -> str:
    """A stable FtM id for an IRI: ``actorgraph-`` and its local name, or a digest when the name will not do."""
    from followthemoney import registry

    local = iri.removeprefix(ID) if iri.startswith(ID) else ""
    candidate = ID_PREFIX + local
    if local and registry.entity.validate(candidate) and len(candidate) <= 128:
        return candidate
    return ID_PREFIX + hashlib.sha1(iri.encode("utf-8")).hexdigest()


def country_codes() -> dict[str, str]:
    """FtM's country names (case folded) to their ISO 3166 codes."""
    from followthemoney import registry

    return {name.casefold(): code for code, name in registry.country.names.items()}


def applicable(schema: Schema, qualified: list[str]) -> list[Property]:
    """The FtM properties among ``qualified`` (``Schema:property``) that apply to an entity of ``schema``:
    those of a schema it is, or extends."""
    from followthemoney import model

    found: list[Property] = []
    for qname in qualified:
        owner_name, _, name = qname.partition(":")
        owner = model.get(owner_name)
        prop = schema.get(name)
        if owner is not None and prop is not None and schema.is_a(owner) and prop not in found:
            found.append(prop)
    return found


def fits(prop: Property, schema: Schema | None) -> bool:
    """Whether an entity of ``schema`` may be the value of the entity property ``prop``."""
    return schema is not None and (prop.range is None or schema.is_a(prop.range))


@dataclass
class _Build:
    """The entities under construction, and what was left out."""

    kg: KnowledgeGraph
    mapping: Mapping
    values: dict[str, list[tuple[str, Any, Any]]]  # subject -> (property, value, date) of mapped properties
    entities: dict[str, EntityProxy] = field(default_factory=dict)  # by IRI (and position key)
    left_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def put(self, entity: EntityProxy, prop: Property, value: Any) -> None:
        """Add a value through FtM's own cleaning; a value FtM refuses is left out and counted."""
        if value is None or value == "":
            return
        before = list(entity.get(prop))
        entity.add(prop, value)
        if entity.get(prop) == before and str(value) not in before:
            self.left_out[f"a {prop.name} value FtM does not accept"] += 1


def _text_of(value: Any, date: Any, labels: dict[str, str], ids: dict[str, str], prop: Property,
             codes: dict[str, str]) -> str | None:
    """One RDF value as the FtM property wants it: an entity id, a date, a country code, or text."""
    kind = prop.type.name
    if date is not None:
        return str(date)
    text = str(value)
    if kind == "entity":
        return ids.get(text)
    if kind == "country":
        return codes.get(text)
    if text.startswith(("http://", "https://", "_:")) and text in labels:
        return labels[text]
    if text.startswith("_:"):
        return None
    return text


def build_ftm(kg: KnowledgeGraph, notes: list[str] | None = None) -> str:
    """The graph as FtM entities, one JSON object a line (see the module docstring). What is left out is
    appended to ``notes``."""
    from followthemoney import model

    notes = [] if notes is None else notes
    mapping = load_mapping(kg)
    vocab = kg.vocabulary

    labels: dict[str, str] = {}
    for row in kg.rows(_LABELS):
        label = str(row["label"])
        if row["thing"] not in labels or label < labels[row["thing"]]:
            labels[row["thing"]] = label
    types: dict[str, set[str]] = defaultdict(set)
    for row in kg.rows(_TYPES):
        types[row["thing"]].add(row["type"])
    values: dict[str, list[tuple[str, Any, Any]]] = defaultdict(list)
    for row in kg.rows(_VALUES):
        values[row["s"]].append((row["p"], row["o"], row["date"]))
    for subject, rows in values.items():
        # The English (or untagged) label first: FtM captions an entity with its first name.
        rows.sort(key=lambda r, s=subject: (r[0], str(r[1]) != labels.get(s), str(r[1])))
    build = _Build(kg, mapping, values)

    documents = {t for t, classes in types.items() if ONT + "SourceDocument" in classes}
    statements = sorted(kg.rows(_STATEMENTS), key=lambda r: r["statement"])

    # 1. What each entity becomes: the nearest annotated class whose schema it can fill; its identifiers.
    fills: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # subject -> (qname, object, statement)
    for row in statements:
        for qname in mapping.properties.get(row["p"], []):
            fills[row["s"]].append((qname, row["o"], row["statement"]))

    codes = _country_codes(types, values, labels, vocab)
    schemas = _schemas(types, fills, vocab, mapping)
    for iri, classes in types.items():
        if iri not in schemas and iri not in documents:
            kind = _class_label(classes, vocab) or "entity"
            build.left_out[f"entities of a class with no FtM schema ({kind})"] += 1
    ids = {iri: entity_id(iri) for iri in schemas}

    # 2. The entities and documents with their own values.
    for iri in sorted(schemas):
        entity = model.make_entity(schemas[iri])
        entity.id = ids[iri]
        build.entities[iri] = entity
        for prop_iri, obj, date in values.get(iri, []):
            qnames = mapping.properties.get(prop_iri)
            if not qnames or prop_iri in vocab.relationships:
                continue
            scheme = vocab.identifiers.get(prop_iri)
            for prop in applicable(entity.schema, qnames):
                if scheme is not None and prop.type.name == "url":
                    build.put(entity, prop, scheme.link(str(obj)))
                else:
                    build.put(entity, prop, _text_of(obj, date, labels, ids, prop, codes))
        kind = _class_label(types[iri], vocab)
        if entity.schema.get("keywords") is not None and kind:
            build.put(entity, entity.schema.get("keywords"), kind)  # our class, which FtM's schema may not say
        if iri in codes:
            for name in ("territoryCode", "country"):
                if entity.schema.get(name) is not None:
                    build.put(entity, entity.schema.get(name), codes[iri])
    _documents(kg, build, documents, types, values, labels, ids, codes)

    # 3. What relationship types fill on their subjects (a nationality, a payer), then one link a statement.
    folded: set[str] = set()
    for subject, items in sorted(fills.items()):
        entity = build.entities.get(subject)
        if entity is None:
            continue
        for qname, obj, statement in items:
            for prop in applicable(entity.schema, [qname]):
                if prop.type.name == "entity" and not fits(prop, schemas.get(obj)):
                    continue
                build.put(entity, prop, _text_of(obj, None, labels, ids, prop, codes))
                if not entity.schema.is_a("Thing"):
                    folded.add(statement)
    qualifiers = _qualifiers(kg, labels)
    figures = {row["f"] for row in kg.rows("SELECT ?f WHERE { ?f a ag:Figure }")}
    relationships = vocab.relationships
    for row in statements:
        statement, subject, obj, predicate = row["statement"], row["s"], row["o"], row["p"]
        summary = _summary(row, labels, qualifiers.get(statement, {}))
        link, role = _link(build, row, schemas, ids, labels, relationships.get(predicate))
        if link is None:
            target = build.entities.get(subject)
            if statement in folded and target is not None:
                _evidence(build, target, statement, labels, ids, codes)
            else:
                if subject in figures:
                    continue  # counted with the figures
                missing = subject if subject not in schemas else obj
                kind = _class_label(types.get(missing, set()), vocab) or "thing"
                build.left_out[f"statements whose subject or object has no FtM entity ({kind})"] += 1
            continue
        _evidence(build, link, statement, labels, ids, codes, summary=summary, role=role)
        build.entities[statement] = link

    if figures:
        build.left_out["figures and their statements (FtM cannot say that a number is about, at least or "
                       "more than)"] = len(figures)
    for what, count in sorted(build.left_out.items()):
        notes.append(f"left out of the FtM export ({count:,}): {what}")
    return "".join(_line(entity) for entity in sorted(build.entities.values(), key=lambda e: e.id))


def _country_codes(types, values, labels, vocab) -> dict[str, str]:
    """Each country's ISO 3166 code: the code of the FtM country name that is its label or an alias."""
    by_name = country_codes()
    codes: dict[str, str] = {}
    for iri, classes in types.items():
        if ONT + "Country" not in {a for c in classes for a in vocab.ancestors(c)}:
            continue
        names = [labels.get(iri, "")] + [str(o) for p, o, _ in values.get(iri, []) if p in (RDFS_LABEL, SKOS_ALT_LABEL)]
        code = next((by_name[n.casefold()] for n in names if n.casefold() in by_name), None)
        if code:
            codes[iri] = code
    return codes


def _schemas(types, fills, vocab, mapping: Mapping) -> dict[str, Schema]:
    """What each entity becomes: the schema of its nearest annotated class whose required properties it
    can fill (a payment without a payee is no Payment, so it is an Event)."""
    from followthemoney import model

    schemas: dict[str, Schema] = {}
    for iri in sorted(types):
        for name in _candidate_schemas(types[iri], vocab, mapping):
            schema = model.get(name)
            if schema is None:
                continue
            # A name and a file name are what every entity and document has: the others come from links.
            if all(_can_fill(schema, required, fills.get(iri, []), types, vocab, mapping)
                   for required in schema.required if required not in ("name", "fileName")):
                schemas[iri] = schema
                break
    return schemas


def _class_label(classes: set[str], vocab) -> str | None:
    """The label of the most specific of an entity's classes."""
    known = [c for c in classes if c in vocab.classes]
    leaves = [c for c in known if not any(o != c and vocab.is_a(o, c) for o in known)]
    return min((vocab.classes[c].label for c in leaves), default=None)


def _candidate_schemas(classes: set[str], vocab, mapping: Mapping) -> list[str]:
    """The FtM schemata of an entity's classes and their ancestors, nearest first."""
    found: list[str] = []
    for cls in sorted(classes, key=lambda c: -len(vocab.ancestors(c))):
        for ancestor in vocab.ancestors(cls) or [cls]:
            name = mapping.classes.get(ancestor)
            if name and name not in found:
                found.append(name)
    for cls in sorted(classes):  # classes outside the vocabulary (schema:NewsArticle) come last
        name = mapping.classes.get(cls)
        if name and name not in found:
            found.append(name)
    return found


def _can_fill(schema: Schema, required: str, fills: list[tuple[str, str, str]], types, vocab,
              mapping: Mapping) -> bool:
    """Whether the relationships of an entity fill the required property ``required`` of ``schema``."""
    from followthemoney import model

    prop = schema.get(required)
    for qname, obj, _ in fills:
        if qname.partition(":")[2] != required or prop is None:
            continue
        if prop.type.name != "entity":
            return True
        names = _candidate_schemas(types.get(obj, set()), vocab, mapping)
        if any(fits(prop, model.get(n)) for n in names):
            return True
    return False


def _documents(kg, build: _Build, documents, types, values, labels, ids, codes) -> None:
    """Source documents as Article or Document entities, with their stored text."""
    from followthemoney import model

    for iri in sorted(documents):
        names = _candidate_schemas(types[iri], kg.vocabulary, build.mapping)
        schema = max((model.get(n) for n in names if model.get(n) is not None and model.get(n).is_a("Document")),
                     key=lambda s: len(s.schemata), default=model.get("Document"))
        entity = model.make_entity(schema)
        entity.id = entity_id(iri)
        ids[iri] = entity.id
        build.entities[iri] = entity
        for prop_iri, obj, date in values.get(iri, []):
            for prop in applicable(schema, build.mapping.properties.get(prop_iri, [])):
                build.put(entity, prop, _text_of(obj, date, labels, ids, prop, codes))
        text = _stored_text(kg, entity.first("fileName"))
        if text is not None:
            build.put(entity, schema.get("bodyText"), text)
            build.put(entity, schema.get("mimeType"), "text/plain")
            build.put(entity, schema.get("encoding"), "utf-8")


def _stored_text(kg, text_file: str | None) -> str | None:
    """The stored text of a source, when the graph is local files (a remote endpoint has none)."""
    from ..store import LocalStore

    if not text_file or not isinstance(kg.store, LocalStore):
        return None
    root = kg.graph_dir.resolve()
    path = (root / text_file).resolve()
    if not path.is_relative_to(root):
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _qualifiers(kg, labels) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in kg.rows(_QUALIFIERS):
        item = found[row["statement"]]
        # The _QUALIFIERS query's variables, which FtM's notes are written from: not evidence records' keys.
        for key in ("inferred", "basis", "content", "scope", "denies", "dateInferred"):
            if row[key] is not None:
                item[key] = row[key]
    return found


def _summary(row: dict[str, Any], labels: dict[str, str], qualifiers: dict[str, Any]) -> str:
    """Who asserts the claim and how firmly, in one line: "alleged, according to U.S. Department of the
    Treasury"; then what FtM has no field for (inference, reported speech, scope, a denial)."""
    status = labels.get(row["status"] or "", "unknown status")
    party = labels.get(row["assertedBy"] or "", "an unknown party")
    parts = [f"{status}, according to {party}"]
    if qualifiers.get("inferred"):
        parts.append(f"inferred from the quote: {qualifiers.get('basis') or 'no basis given'}")
    if qualifiers.get("dateInferred"):
        parts.append("a date inferred from context")
    if qualifiers.get("content"):
        parts.append(f"what was said: {qualifiers['content']}")
    if qualifiers.get("scope"):
        parts.append(f"for {qualifiers['scope']}")
    if qualifiers.get("denies"):
        parts.append(f"denies {qualifiers['denies']}")
    return "; ".join(parts)


def _link(build: _Build, row: dict[str, Any], schemas, ids, labels,
          relationship) -> tuple[EntityProxy | None, tuple[str, str, bool] | None]:
    """The FtM interval entity of one statement: its relationship type's schema when the subject and object
    fit it, else an UnknownLink (None when not even that fits); and its caption: (property, the
    relationship's label, whether the link is an UnknownLink)."""
    from followthemoney import model

    subject, obj, statement = row["s"], row["o"], row["statement"]
    declared = build.mapping.links.get(row["p"])
    for schema_name, subject_prop, object_prop in ([declared] if declared else []) + [FALLBACK_LINK]:
        schema = model.get(schema_name)
        if schema is None:
            continue
        source, target = schema.get(subject_prop), schema.get(object_prop)
        if source is None or target is None or not fits(source, schemas.get(subject)):
            continue
        link = model.make_entity(schema)
        link.id = entity_id(statement)
        if target.type.name == "entity":
            if target.range is not None and target.range.name == "Position" and schemas.get(obj) is not None:
                post = _position(build, row, ids, labels, schemas)
                if post is None:
                    continue
                link.add(source, ids[subject])
                link.add(target, post.id)
                return link, None
            if not fits(target, schemas.get(obj)) or obj == subject:
                continue
            link.add(target, ids[obj])
        else:
            link.add(target, labels.get(obj, obj))
        link.add(source, ids[subject])
        label = relationship.label if relationship else row["p"].rsplit("#", 1)[-1]
        # The link says which relationship it stands for in the property FtM captions it with: an
        # UnknownLink always (before the statement's own role, ag:role, in the source's words), another
        # schema when the statement gives no role.
        caption = next((name for name in ("role", "relationship") if schema.get(name) is not None), None)
        return link, ((caption, label, schema_name == FALLBACK_LINK[0]) if caption else None)
    return None, None


def _position(build: _Build, row, ids, labels, schemas) -> EntityProxy | None:
    """The post a person holds in a body, named by the statement's role in the source's words (FtM's
    Occupancy links a person to a Position, not to the body itself); None without a role."""
    from followthemoney import model

    role = next((str(o) for p, o, _ in build.values.get(row["statement"], []) if p == ONT + "role"), None)
    if not role:
        return None
    body = row["o"]
    key = f"position:{body}:{role}"
    if key not in build.entities:
        post = model.make_entity("Position")
        post.id = ID_PREFIX + "position-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
        build.put(post, post.schema.get("name"), role)
        prop = post.schema.get("organization")
        if fits(prop, schemas.get(body)):
            build.put(post, prop, ids[body])
        build.put(post, post.schema.get("description"), f"{role}, {labels.get(body, body)}")
        build.entities[key] = post
    return build.entities[key]


def _evidence(build: _Build, entity: EntityProxy, statement: str, labels, ids, codes,
              summary: str | None = None, role: tuple[str, str, bool] | None = None) -> None:
    """A statement's evidence on its link (or on the entity it was folded into)."""
    schema = entity.schema
    given: set[str] = set()
    if role and role[2]:
        build.put(entity, schema.get(role[0]), role[1])
    for prop_iri, obj, date in build.values.get(statement, []):
        for prop in applicable(schema, build.mapping.properties.get(prop_iri, [])):
            build.put(entity, prop, _text_of(obj, date, labels, ids, prop, codes))
            given.add(prop.name)
    if role and not role[2] and role[0] not in given:
        build.put(entity, schema.get(role[0]), role[1])
    if summary and schema.get("summary") is not None:
        build.put(entity, schema.get("summary"), summary)
    if schema.get("recordId") is not None:
        build.put(entity, schema.get("recordId"), statement)
    proof = entity.get("proof") if schema.get("proof") is not None else []
    for doc in list(proof):
        document = next((e for e in build.entities.values() if e.id == doc), None)
        if document is not None and schema.get("sourceUrl") is not None:
            for url in document.get("sourceUrl"):
                build.put(entity, schema.get("sourceUrl"), url)


def _line(entity: EntityProxy) -> str:
    """One entity as a JSON line: id, schema, then properties sorted by name with their values in order."""
    data = {"id": entity.id, "schema": entity.schema.name,
            "properties": {name: list(vals) for name, vals in sorted(entity.properties.items())}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

