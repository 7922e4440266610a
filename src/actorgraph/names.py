"""Resolving a name typed by a person to one entity: by label or alias, ignoring case and accents."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from . import paths
from .errors import AmbiguousNameError, UnknownNameError
from .queries import get_query
from .store import Store, to_python

_FOLD_VERSION = "fold-1"  # change when fold() changes, so that saved indexes are rebuilt


def fold(text: str) -> str:
    """Lower case, accents stripped, whitespace collapsed: 'Élmer  CANALES' -> 'elmer canales'."""
    if not text.isascii():  # (ASCII is its own NFKD form, with no combining marks)
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


class NameEntry(NamedTuple):
    """A label or an alias of an entity, as typed in the graph."""

    iri: str
    name: str
    label: str
    kind: str  # "label" or "alias"


class Match(NamedTuple):
    """An entity found for a typed name, with the name it matched and how well."""

    iri: str
    label: str
    matched: str
    score: float


class NameIndex:
    """All labels and aliases of all entities, folded for matching."""

    def __init__(self, entries: list[NameEntry], folded: list[str] | None = None):
        self.entries = entries
        self.folded = folded if folded is not None else [fold(entry.name) for entry in entries]
        self._by_folded: dict[str, set[str]] = {}
        self.labels: dict[str, str] = {}
        for entry, key in zip(entries, self.folded, strict=True):
            self._by_folded.setdefault(key, set()).add(entry.iri)
            self.labels.setdefault(entry.iri, entry.label)

    @classmethod
    def from_store(cls, store: Store) -> NameIndex:
        """The index of the store's names. A compiled on-disk store keeps it in a file beside it: on a
        million statements the query and the folding take seconds, reading the file a fraction of one."""
        import json
        import zlib

        text = get_query("names").text
        # A checksum names the file after the query and the folding that made it (zlib's, which costs
        # nothing to import where hashlib costs a few milliseconds of every command).
        sidecar = store.sidecar(f"names-{zlib.crc32(f'{_FOLD_VERSION}{chr(10)}{text}'.encode()):08x}.json")
        if sidecar is not None:
            try:
                rows = json.loads(sidecar.read_text(encoding="utf-8"))
                return cls([NameEntry(*row[:4]) for row in rows], [row[4] for row in rows])
            except (OSError, ValueError, TypeError, IndexError):
                pass  # missing or unreadable: build it again
        seen: set[tuple[str, str]] = set()
        entries = []
        for row in store.select(text).rows:
            key = (row["entity"].value, str(to_python(row["name"])))
            if key in seen:
                continue
            seen.add(key)
            entries.append(NameEntry(key[0], key[1], str(to_python(row["label"])), str(to_python(row["kind"]))))
        entries.sort(key=lambda e: (e.label, e.name))
        index = cls(entries)
        if sidecar is not None:
            # Plain tuples: dataclasses.astuple deep-copies each field (a second at 100k statements).
            rows = [[e.iri, e.name, e.label, e.kind, f] for e, f in zip(entries, index.folded, strict=True)]
            paths.write_cache_file(sidecar, json.dumps(rows, ensure_ascii=False))
        return index

    def aliases(self, iri: str) -> list[str]:
        """The entity's aliases (skos:altLabel), sorted."""
        return sorted({e.name for e in self.entries if e.iri == iri and e.kind == "alias"})

    def search(self, text: str, limit: int = 10, cutoff: float = 50.0) -> list[Match]:
        """Fuzzy matches, best first, one per entity, with scores from 0 to 100."""
        from rapidfuzz import fuzz

        query = fold(text)
        best: dict[str, Match] = {}
        for entry, folded in zip(self.entries, self.folded, strict=True):
            if folded == query:
                score = 100.0
            else:
                score = max(fuzz.WRatio(query, folded), fuzz.ratio(query, folded))
                score = min(score, 99.0)
            if score >= cutoff and (entry.iri not in best or score > best[entry.iri].score):
                best[entry.iri] = Match(entry.iri, entry.label, entry.name, round(score, 1))
        return sorted(best.values(), key=lambda m: (-m.score, m.label))[:limit]

    def resolve(self, text: str) -> str:
        """The IRI of the one entity whose label or alias is ``text``; else a one-line error."""
        if text in self.labels:  # already an entity IRI
            return text
        exact = self._by_folded.get(fold(text), set())
        if len(exact) == 1:
            return next(iter(exact))
        if len(exact) > 1:
            raise AmbiguousNameError(text, sorted(self.labels[i] for i in exact))
        return self._resolve_fuzzy(text)

    def _resolve_fuzzy(self, text: str) -> str:
        # Every word typed is a whole word of one name: "canales" finds "Élmer Canales Rivera".
        # When several names contain them, the tightest name (fewest other words) wins if it is unique:
        # "mott" is Carl Mott, not the "Arrest of Carl Mott in Sylvania".
        words = set(fold(text).split())
        if words:
            extra: dict[str, int] = {}
            for entry in self.entries:
                name_words = set(fold(entry.name).split())
                if words <= name_words:
                    extra[entry.iri] = min(extra.get(entry.iri, 99), len(name_words - words))
            if extra:
                best = min(extra.values())
                tightest = sorted(iri for iri, n in extra.items() if n == best)
                if len(tightest) == 1:
                    return tightest[0]
                raise AmbiguousNameError(text, sorted(self.labels[i] for i in tightest)[:8])
        # Only names somewhat like it: a suggestion scoring under 60 is noise, and would change whenever
        # an unrelated entity joins the graph.
        matches = self.search(text, limit=3, cutoff=60.0)
        raise UnknownNameError(text, [m.label for m in matches[:3]])
