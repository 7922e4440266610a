"""Probable duplicates: two entities that are likely one, found by their names.

Two entities are probable duplicates when

* a name or alias of one, folded (case, accents and spacing ignored), is a name or alias of the other;
  whatever their types, since a shared name makes the name ambiguous; or
* their types are compatible (one is the other, or a subclass of it) and two of their names are nearly
  the same: at least ``THRESHOLD`` alike (rapidfuzz's ratio, 0-100), or the same words plus one more
  ("Nayib Bukele" and "Nayib Bukele Ortez"); names that differ in a number (the 2019 and 2025
  agreements, "Decree 12" and "Decree 13") are never near-duplicates.

Unless they are declared distinct (``owl:differentFrom``, either way round). ``validate`` reports every
pair in the graph; ``add`` refuses a new entity that makes one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .names import fold

THRESHOLD = 90
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Named:
    """An entity as far as duplicates go: its id, its names (label first) and its classes."""

    iri: str
    names: tuple[str, ...]
    types: frozenset[str]


@dataclass(frozen=True)
class Duplicate:
    """Two entities that are probably one, and the two names that say so."""

    first: str
    second: str
    first_name: str
    second_name: str
    kind: str  # "same name", "alike" or "one more word", strongest first

    def reason(self) -> str:
        """Why the pair is suspect, in words."""
        if self.kind == "same name":
            return f"the same name “{self.first_name}” (ignoring case and accents)"
        if self.kind == "one more word":
            return f"“{self.first_name}” and “{self.second_name}” differ by one word"
        from rapidfuzz import fuzz

        score = fuzz.ratio(fold(self.first_name), fold(self.second_name))
        return f"“{self.first_name}” and “{self.second_name}” are {score:.0f}% alike"


_STRENGTH = {"same name": 3, "alike": 2, "one more word": 1}


def find_duplicates(
    entities: Iterable[Named],
    lineage: Callable[[str], set[str]],
    distinct: set[frozenset[str]] | None = None,
    among: set[str] | None = None,
) -> list[Duplicate]:
    """Every probable duplicate pair, each once, in a stable order.

    ``lineage(cls)`` is the class and its superclasses; ``distinct`` holds the pairs declared distinct;
    with ``among``, only pairs with at least one entity in it are looked for (a new entity against the
    graph), which is much faster than every pair.
    """
    from rapidfuzz import fuzz, process

    entities = list(entities)
    distinct = distinct or set()
    types = {e.iri: e.types for e in entities}
    # Each folded name, with the entities and the written form that carry it.
    carriers: dict[str, dict[str, str]] = defaultdict(dict)
    for entity in entities:
        for name in entity.names:
            folded = fold(name)
            if folded:
                carriers[folded].setdefault(entity.iri, name)
    found: dict[frozenset[str], Duplicate] = {}

    def consider(a: str, b: str, name_a: str, name_b: str, kind: str) -> None:
        if a == b or frozenset((a, b)) in distinct:
            return
        if among is not None and a not in among and b not in among:
            return
        if kind != "same name" and not _compatible(types[a], types[b], lineage):
            return
        key = frozenset((a, b))
        if key in found and _STRENGTH[found[key].kind] >= _STRENGTH[kind]:
            return
        first, second = sorted((a, b))
        names = (name_a, name_b) if first == a else (name_b, name_a)
        found[key] = Duplicate(first, second, names[0], names[1], kind)

    for holders in carriers.values():
        if len(holders) > 1:
            items = sorted(holders.items())
            for i, (a, name_a) in enumerate(items):
                for b, name_b in items[i + 1:]:
                    consider(a, b, name_a, name_b, "same name")

    folded_names = sorted(carriers)
    queries = folded_names if among is None else sorted(
        {f for f, holders in carriers.items() if among & holders.keys()})
    for query, candidates in _worth_comparing(queries, folded_names):
        for other, _, _ in process.extract(query, candidates, scorer=fuzz.ratio, score_cutoff=THRESHOLD,
                                           limit=None):
            if _DIGITS.findall(other) != _DIGITS.findall(query):
                continue
            for a, name_a in carriers[query].items():
                for b, name_b in carriers[other].items():
                    consider(a, b, name_a, name_b, "alike")

    # The same words plus one: look each name up with one of its words left out.
    by_words: dict[frozenset[str], list[str]] = defaultdict(list)
    for folded in folded_names:
        words = folded.split()
        if len(words) >= 2:
            by_words[frozenset(words)].append(folded)
    for folded in folded_names:
        words = folded.split()
        if len(words) < 3 or len(set(words)) != len(words):
            continue
        for left_out in words:
            shorter = frozenset(w for w in words if w != left_out)
            for other in by_words.get(shorter, ()):
                if _DIGITS.findall(other) != _DIGITS.findall(folded):
                    continue
                for a, name_a in carriers[other].items():
                    for b, name_b in carriers[folded].items():
                        consider(a, b, name_a, name_b, "one more word")
    return sorted(found.values(), key=lambda d: (d.first, d.second))


def _worth_comparing(queries: list[str], names: list[str]):
    """Each query with the names worth scoring against it: those that share a word of three letters or
    more with it and, for a one-word name, every other one-word name ("Rubio" and "Rubbio"). Two names
    90% alike that share no word would have to be misspelt in every word; looking only here keeps the
    check from comparing every name with every other (10,000 entities: 100 million pairs)."""
    words = {name: set(_WORD.findall(name)) for name in names}
    postings: dict[str, list[str]] = defaultdict(list)
    single = []
    for name in names:
        for word in words[name]:
            if len(word) >= 3:
                postings[word].append(name)
        if len(words[name]) <= 1:
            single.append(name)
    for query in queries:
        candidates = set(single) if len(words.get(query) or _WORD.findall(query)) <= 1 else set()
        for word in words.get(query) or set(_WORD.findall(query)):
            if len(word) >= 3:
                candidates.update(postings[word])
        candidates.discard(query)
        yield query, sorted(candidates)


def _compatible(first: frozenset[str], second: frozenset[str], lineage: Callable[[str], set[str]]) -> bool:
    """Whether one entity's class is the other's or one of its superclasses (a Person and an Actor, not a
    Person and a Country)."""
    return any(a in lineage(b) or b in lineage(a) for a in first for b in second)
