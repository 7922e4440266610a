"""The ontology read into a vocabulary: classes and relationship types with their labels and styling.

Nothing here lists predicates: everything comes from ``ontology/*.ttl`` through the store.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import UsageError
from .store import ONT, Store, to_python

_RELATIONSHIPS = """
SELECT ?p ?label ?comment ?edgeLabel ?colour ?inverse ?domain ?range WHERE {
  ?p rdfs:subPropertyOf ag:relatedTo .
  OPTIONAL { ?p rdfs:label ?label }
  OPTIONAL { ?p rdfs:comment ?comment }
  OPTIONAL { ?p ag:edgeLabel ?edgeLabel }
  OPTIONAL { ?p ag:colour ?colour }
  OPTIONAL { ?p owl:inverseOf ?inverse }
  OPTIONAL { ?p rdfs:domain ?domain }
  OPTIONAL { ?p rdfs:range ?range }
} ORDER BY ?p
"""

_IDENTIFIERS = """
SELECT ?p ?label ?pattern ?form ?url WHERE {
  ?p rdfs:subPropertyOf ag:externalIdentifier .
  OPTIONAL { ?p rdfs:label ?label }
  OPTIONAL { ?p ag:idPattern ?pattern }
  OPTIONAL { ?p ag:idForm ?form }
  OPTIONAL { ?p ag:idUrl ?url }
} ORDER BY ?p
"""

_CLASSES = """
SELECT ?c ?label ?comment ?colour ?shape ?order ?parent WHERE {
  ?c a owl:Class .
  FILTER(STRSTARTS(STR(?c), STR(ag:)))
  OPTIONAL { ?c rdfs:label ?label }
  OPTIONAL { ?c rdfs:comment ?comment }
  OPTIONAL { ?c ag:colour ?colour }
  OPTIONAL { ?c ag:shape ?shape }
  OPTIONAL { ?c ag:displayOrder ?order }
  OPTIONAL { ?c rdfs:subClassOf ?parent . FILTER(STRSTARTS(STR(?parent), STR(ag:))) }
} ORDER BY ?c
"""

# Statuses and how firm each is: the line that draws it, and its place from firmest to least firm.
_STATUSES = """
SELECT ?s ?label ?definition ?lineStyle ?order WHERE {
  ?s a ag:Status .
  OPTIONAL { ?s skos:prefLabel ?label . FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?s skos:definition ?definition . FILTER(LANG(?definition) = "" || LANGMATCHES(LANG(?definition), "en")) }
  OPTIONAL { ?s ag:lineStyle ?lineStyle }
  OPTIONAL { ?s ag:displayOrder ?order }
} ORDER BY ?s
"""


class Relationship(NamedTuple):
    iri: str
    label: str
    comment: str
    edge_label: str
    colour: str
    inverse: str | None
    domain: str | None
    range: str | None

    @property
    def name(self) -> str:
        return self.iri.removeprefix(ONT)


class IdentifierScheme(NamedTuple):
    """An identifier property (a sub-property of ``ag:externalIdentifier``): its label, its form (a regular
    expression and the same in words) and the address of an entity's page in the other dataset."""

    iri: str
    label: str
    pattern: str | None
    form: str | None
    url: str | None

    @property
    def name(self) -> str:
        return self.iri.removeprefix(ONT)

    def link(self, value: str) -> str | None:
        """The address of the entity's page in the other dataset, or None when the ontology gives none."""
        from urllib.parse import quote

        return self.url.replace("{id}", quote(value, safe="")) if self.url else None

    def fits(self, value: str) -> bool:
        """Whether ``value`` has the identifier's form."""
        import re

        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


class OntClass:
    """A class of entities, as the ontology declares it (a plain class: see ``Vocabulary``)."""

    def __init__(self, iri: str, label: str, comment: str, colour: str | None, shape: str | None, order: int | None,
                 parents: list[str] | None = None):
        self.iri, self.label, self.comment = iri, label, comment
        self.colour, self.shape, self.order = colour, shape, order
        self.parents = [] if parents is None else parents

    def __repr__(self) -> str:
        return f"OntClass({self.iri!r})"

    @property
    def name(self) -> str:
        return self.iri.removeprefix(ONT)


class Status(NamedTuple):
    iri: str
    label: str
    definition: str
    line_style: str | None
    order: int | None


class Vocabulary:
    """The ontology's relationships, classes, identifier schemes and statuses. (This and ``OntClass`` are
    plain classes: a dataclass takes a third of a millisecond to build, on every command.)"""

    def __init__(self, relationships: dict[str, Relationship], classes: dict[str, OntClass],
                 identifiers: dict[str, IdentifierScheme] | None = None, statuses: dict[str, Status] | None = None):
        self.relationships, self.classes = relationships, classes
        self.identifiers = {} if identifiers is None else identifiers
        self.statuses = {} if statuses is None else statuses

    def ancestors(self, iri: str) -> list[str]:
        """The class and its ag: superclasses, nearest first."""
        seen: list[str] = []
        queue = [iri]
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.append(current)
            queue.extend(self.classes[current].parents)
        return seen

    def style(self, iri: str) -> OntClass | None:
        """The nearest class (itself or an ancestor) that carries a colour."""
        for ancestor in self.ancestors(iri):
            if self.classes[ancestor].colour:
                return self.classes[ancestor]
        return None

    def is_a(self, iri: str, ancestor: str) -> bool:
        return ancestor in self.ancestors(iri)

    def class_named(self, name: str) -> OntClass | None:
        """A class by local name or label, ignoring case, spaces and hyphens."""
        wanted = name.casefold().replace(" ", "").replace("-", "")
        for cls in self.classes.values():
            if wanted in (cls.name.casefold(), cls.label.casefold().replace(" ", "").replace("-", "")):
                return cls
        return None

    def entity_type(self, name: str) -> OntClass:
        """The class of entities a person means by ``name`` (``--type person``, ``criminal organisation``);
        a one-line error listing the types for anything else."""
        cls = self.class_named(name)
        entity = ONT + "Entity"
        if cls is None or not self.is_a(cls.iri, entity):
            known = sorted(c.label for c in self.classes.values() if self.is_a(c.iri, entity))
            raise UsageError(f"unknown type {name!r}; known types: {', '.join(known)}")
        return cls


def load_vocabulary(store: Store) -> Vocabulary:
    """Read relationship types and classes from the ontology in the store."""
    relationships: dict[str, Relationship] = {}
    for row in store.select(_RELATIONSHIPS).rows:
        iri = row["p"].value
        if iri in relationships:
            continue
        label = str(to_python(row.get("label")) or iri.removeprefix(ONT))
        relationships[iri] = Relationship(
            iri=iri,
            label=label,
            comment=str(to_python(row.get("comment")) or ""),
            edge_label=str(to_python(row.get("edgeLabel")) or label),
            colour=str(to_python(row.get("colour")) or "#999999"),
            inverse=str(to_python(row.get("inverse"))) if row.get("inverse") else None,
            domain=str(to_python(row.get("domain"))) if row.get("domain") else None,
            range=str(to_python(row.get("range"))) if row.get("range") else None,
        )
    classes: dict[str, OntClass] = {}
    for row in store.select(_CLASSES).rows:
        iri = row["c"].value
        cls = classes.get(iri)
        if cls is None:
            order = to_python(row.get("order"))
            cls = classes[iri] = OntClass(
                iri=iri,
                label=str(to_python(row.get("label")) or iri.removeprefix(ONT)),
                comment=str(to_python(row.get("comment")) or ""),
                colour=str(to_python(row.get("colour"))) if row.get("colour") else None,
                shape=str(to_python(row.get("shape"))) if row.get("shape") else None,
                order=int(order) if isinstance(order, int | float) else None,
            )
        parent = row.get("parent")
        if parent is not None and parent.value not in cls.parents:
            cls.parents.append(parent.value)
    identifiers: dict[str, IdentifierScheme] = {}
    for row in store.select(_IDENTIFIERS).rows:
        iri = row["p"].value
        if iri in identifiers:
            continue

        def text(var: str, row=row) -> str | None:
            return str(to_python(row.get(var))) if row.get(var) is not None else None

        identifiers[iri] = IdentifierScheme(iri, text("label") or iri.removeprefix(ONT), text("pattern"),
                                            text("form"), text("url"))
    statuses: dict[str, Status] = {}
    for row in store.select(_STATUSES).rows:
        iri = row["s"].value
        if iri in statuses:
            continue
        order = to_python(row.get("order"))
        statuses[iri] = Status(
            iri=iri,
            label=str(to_python(row.get("label")) or iri.removeprefix(ONT)),
            definition=str(to_python(row.get("definition")) or ""),
            line_style=str(to_python(row.get("lineStyle"))) if row.get("lineStyle") else None,
            order=int(order) if isinstance(order, int | float) else None,
        )
    return Vocabulary(relationships, classes, identifiers, statuses)
