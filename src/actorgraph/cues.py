"""Cue phrases read from the ontology (``ontology/cues.ttl``): the words that suggest a relationship
type, a status, an asserting party, a date, an approximation, a unit or an entity's class.

Nothing here lists phrases: each comes from an ``ag:cuePhrase`` (or ``ag:nameParticle``) in the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .store import ONT, Store, to_python

TIME = "http://www.w3.org/2006/time#"
OWL = "http://www.w3.org/2002/07/owl#"
PLACEHOLDER = "X"

_CUES = """
SELECT ?subject ?phrase ?kind ?precision ?offset ?back ?value ?scale ?unit ?label WHERE {
  ?subject ag:cuePhrase ?phrase .
  OPTIONAL { ?subject a ?kind . FILTER(?kind IN (ag:Status, ag:Approximation, ag:DateCue, ag:NumberWord,
                                                 ag:UnitCue, owl:Class)) }
  OPTIONAL { ?subject ag:cuePrecision ?precision }
  OPTIONAL { ?subject ag:cueOffset ?offset }
  OPTIONAL { ?subject ag:refersBack ?back }
  OPTIONAL { ?subject ag:cueValue ?value }
  OPTIONAL { ?subject ag:scale ?scale }
  OPTIONAL { ?subject ag:unitLabel ?unit }
  OPTIONAL { ?subject skos:prefLabel ?label }
}
"""

_WORDS = "SELECT ?word WHERE {\n  #@values\n  ?subject ?property ?word\n}"


@dataclass(frozen=True)
class Placed:
    """A cue phrase that names a place for something else: "according to X" or "X said".

    ``before`` holds the words before the placeholder, ``after`` the words after it (either may be empty).
    """

    phrase: str
    before: str
    after: str


@dataclass(frozen=True)
class DateCue:
    """A relative date expression: its precision, its offset in that unit, and what it counts from."""

    phrase: str
    precision: str  # "day" | "month" | "year"
    offset: int
    refers_back: bool


@dataclass
class Cues:
    """Every cue phrase of the ontology, grouped by what it suggests (keys are IRIs or labels)."""

    relationships: dict[str, list[str]] = field(default_factory=dict)
    statuses: dict[str, list[str]] = field(default_factory=dict)
    status_labels: dict[str, str] = field(default_factory=dict)
    attribution: list[Placed] = field(default_factory=list)
    start_time: list[str] = field(default_factory=list)
    end_time: list[str] = field(default_factory=list)
    dates: list[DateCue] = field(default_factory=list)
    approximations: dict[str, list[str]] = field(default_factory=dict)  # label -> phrases
    units: dict[str, str] = field(default_factory=dict)  # symbol or word -> unit in words
    numbers: dict[str, tuple[int, bool]] = field(default_factory=dict)  # word -> (value, is a scale)
    class_words: dict[str, list[str]] = field(default_factory=dict)  # class IRI -> words inside a name
    class_placed: dict[str, list[Placed]] = field(default_factory=dict)  # class IRI -> "Judge X", "in X"
    particles: set[str] = field(default_factory=set)
    clause_breaks: set[str] = field(default_factory=set)
    group_nouns: set[str] = field(default_factory=set)


def placed(phrase: str) -> Placed | None:
    """Split "according to X" into its parts; None when the phrase has no placeholder word."""
    words = phrase.split()
    if PLACEHOLDER not in words:
        return None
    at = words.index(PLACEHOLDER)
    return Placed(phrase, " ".join(words[:at]), " ".join(words[at + 1:]))


def _unit_name(iri: str | None) -> str:
    return (iri or "").removeprefix(TIME + "unit").lower() or "day"


def load_cues(store: Store, relationships: Iterable[str]) -> Cues:
    """Read every cue phrase from the ontology in ``store``; ``relationships`` are the IRIs of the
    relationship types (as the vocabulary finds them)."""
    cues = Cues()
    relationship_types = set(relationships)
    for row in store.select(_CUES).rows:
        subject = row["subject"].value
        phrase = str(to_python(row["phrase"])).strip()
        kind = row["kind"].value.removeprefix(ONT).removeprefix(OWL) if row.get("kind") else ""
        if not phrase:
            continue
        if subject in relationship_types:
            _add(cues.relationships, subject, phrase)
        elif kind == "Status":
            _add(cues.statuses, subject, phrase)
            cues.status_labels[subject] = str(to_python(row.get("label")) or subject.removeprefix(ONT))
        elif kind == "Approximation":
            label = str(to_python(row.get("label")) or subject.removeprefix(ONT))
            _add(cues.approximations, label, phrase)
        elif kind == "DateCue":
            cues.dates.append(DateCue(phrase, _unit_name(to_python(row.get("precision"))),
                                      int(to_python(row.get("offset")) or 0), bool(to_python(row.get("back")))))
        elif kind == "NumberWord":
            cues.numbers[phrase.casefold()] = (int(to_python(row.get("value")) or 0), bool(to_python(row.get("scale"))))
        elif kind == "UnitCue":
            cues.units[phrase] = str(to_python(row.get("unit")) or phrase)
        elif kind == "Class":
            found = placed(phrase)
            if found:
                cues.class_placed.setdefault(subject, []).append(found)
            else:
                _add(cues.class_words, subject, phrase)
        elif subject == ONT + "assertedBy":
            found = placed(phrase)
            if found:
                cues.attribution.append(found)
        elif subject == ONT + "startTime":
            cues.start_time.append(phrase)
        elif subject == ONT + "endTime":
            cues.end_time.append(phrase)
    cues.particles = _words(store, "nameParticle")
    cues.clause_breaks = _words(store, "clauseBreak")
    cues.group_nouns = _words(store, "groupNoun")
    for values in (*cues.relationships.values(), *cues.statuses.values(), *cues.approximations.values()):
        values.sort()
    cues.attribution.sort(key=lambda p: p.phrase)
    cues.dates.sort(key=lambda d: d.phrase)
    return cues


def _words(store: Store, prop: str) -> set[str]:
    import pyoxigraph as ox

    rows = store.select(_WORDS, {"property": ox.NamedNode(ONT + prop)}).rows
    return {str(to_python(row["word"])).casefold() for row in rows}


def _add(table: dict[str, list[str]], key: str, phrase: str) -> None:
    phrases = table.setdefault(key, [])
    if phrase not in phrases:
        phrases.append(phrase)
