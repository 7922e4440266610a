"""Drafting a review sheet for a source text: what a reader would record, proposed for a person to check.

The draft reads the text with spaCy's rule-based parts only (a blank English pipeline, its tokenizer and
sentencizer, the ``PhraseMatcher`` and the ``Matcher``): no model weights. It proposes

- mentions of entities already in the graph, matched on their labels and aliases ignoring case and
  accents (the longest name wins where names overlap);
- candidate new entities (capitalised names that are not in the graph), with a proposed class and the
  closest existing names;
- one claim for each sentence that names at least two entities, with a relationship type, a status and
  an asserting party suggested by the cue phrases of ``ontology/cues.ttl``, and its dates (explicit dates
  as written, relative ones worked out against the publication date and marked inferred);
- figures: numbers with their units and approximations.

Every proposal starts unaccepted; ``actorgraph add`` compiles only what a person accepts (docs/drafting.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .coverage import is_heading
from .cues import Cues, Placed, load_cues
from .dates import PartialDate
from .errors import UsageError
from .evidence import CONTENT, END_TIME, POINT_IN_TIME, START_TIME, STATUS
from .names import fold
from .store import ID, ONT, to_python

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from .kg import KnowledgeGraph
    from .names import NameIndex

CLOSEST_CUTOFF = 70.0  # rapidfuzz score (0-100) below which an existing name is not shown as close

_TYPES = """
SELECT ?entity ?type WHERE {
  ?entity a ?type .
  FILTER(STRSTARTS(STR(?type), STR(ag:)) && STRSTARTS(STR(?entity), STR(agid:)))
}
"""


# ----------------------------------------------------------------------------------------------
# What a draft holds
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A name in the text: ``text == source[start:end]``. ``iri`` for an entity in the graph, ``key`` for
    a candidate new entity; ``candidates`` when the name belongs to several entities."""

    start: int
    end: int
    text: str
    sentence: int
    iri: str | None = None
    key: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """How the sheet names it: an entity id or a proposed key."""
        if self.iri:
            return self.iri.removeprefix(ID)
        return self.key or ""


@dataclass(frozen=True)
class DateGuess:
    """A date found in a sentence: its value with precision, and how it was read."""

    start: int
    end: int
    text: str
    value: str | None  # YYYY, YYYY-MM or YYYY-MM-DD; None when it cannot be worked out
    inferred: bool
    basis: str | None
    role: str = POINT_IN_TIME  # or START_TIME, END_TIME: the key of its field (see ``evidence``)


@dataclass
class EntityGuess:
    """A candidate new entity: a proper name that matches nothing in the graph."""

    key: str
    label: str
    type: str
    type_reason: str
    mentions: list[tuple[int, int]] = field(default_factory=list)
    closest: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ClaimGuess:
    id: str
    sentence: int
    quote: str
    span: tuple[int, int]
    subject: str | None
    relationship: str | None
    object: str | None
    status: str
    asserted_by: str
    dates: dict[str, DateGuess]
    mentions: list[Mention]
    cues: list[str]
    notes: list[str] = field(default_factory=list)
    content: str | None = None  # reported speech: what was said


@dataclass
class FigureGuess:
    id: str
    sentence: int
    quote: str
    span: tuple[int, int]
    value: int | Decimal
    unit: str
    approximation: str
    asserted_by: str
    status: str
    dates: dict[str, DateGuess]
    cues: list[str]


@dataclass
class Draft:
    """Everything proposed for one source text."""

    source_id: str
    text_file: str
    sha256: str
    published: PartialDate | None
    sentences: list[tuple[int, int]]
    mentions: list[Mention]
    entities: list[EntityGuess]
    claims: list[ClaimGuess]
    figures: list[FigureGuess]
    dates: list[DateGuess]


# ----------------------------------------------------------------------------------------------
# The pipeline: a blank English spaCy pipeline and matchers built from the graph and the cues
# ----------------------------------------------------------------------------------------------


_fold_word = functools.lru_cache(maxsize=1 << 16)(fold)


def _fold_norms(doc: Doc) -> Doc:
    """Set each token's NORM to its folded text, so that matchers on NORM ignore case and accents."""
    for token in doc:
        token.norm_ = _fold_word(token.text)
    return doc


def _opening_quotes(doc: Doc) -> Doc:
    """An opening quote or bracket after a sentence's end, with a space before it and none after, opens
    the next sentence (the sentencizer gives it to the one before: 'Sylvania. "It is ...')."""
    for token in doc[1:-1]:
        if ((token.is_left_punct or token.is_quote) and not token.is_sent_start and doc[token.i - 1].whitespace_
                and not token.whitespace_ and doc[token.i - 1].text in (".", "!", "?")):
            token.is_sent_start = True
            doc[token.i + 1].is_sent_start = False
    return doc


def _nlp() -> Language:
    import spacy
    from spacy.language import Language

    if "actorgraph_fold_norms" not in Language.factories:
        Language.component("actorgraph_fold_norms", func=_fold_norms)
        Language.component("actorgraph_opening_quotes", func=_opening_quotes)
    nlp = spacy.blank("en")
    nlp.add_pipe("actorgraph_fold_norms")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("actorgraph_opening_quotes")
    return nlp


class Drafter:
    """The matchers for one graph and its cue phrases; ``draft`` runs them over a text."""

    def __init__(self, kg: KnowledgeGraph):
        from spacy.matcher import Matcher, PhraseMatcher

        self.kg = kg
        self.vocabulary = kg.vocabulary
        self.cues: Cues = load_cues(kg.store, self.vocabulary.relationships)
        self.nlp = _nlp()
        nlp = self.nlp
        self.types: dict[str, list[str]] = {}
        for row in kg.store.select(_TYPES).rows:
            self.types.setdefault(row["entity"].value, []).append(row["type"].value)

        # Names of entities in the graph, keyed by their folded form.
        self.name_iris: dict[str, set[str]] = {}
        self.name_has_capitals: dict[str, bool] = {}
        written: dict[str, set[str]] = {}  # folded name -> the names as written (tokenised as written)
        for entry, folded in zip(kg.names.entries, kg.names.folded, strict=True):
            if entry.iri.startswith(ID) and folded:
                self.name_iris.setdefault(folded, set()).add(entry.iri)
                written.setdefault(folded, set()).add(entry.name)
                self.name_has_capitals[folded] = self.name_has_capitals.get(folded, False) or (
                    entry.name != entry.name.lower())
        self.names = PhraseMatcher(nlp.vocab, attr="NORM")
        for folded in sorted(written):
            self.names.add(folded, [self.make_doc(name) for name in sorted(written[folded])])

        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self._phrase_kinds: dict[str, tuple[str, Any]] = {}

        def add(kind: str, payload: Any, phrase: str) -> None:
            key = f"{kind}\t{payload if isinstance(payload, str) else id(payload)}\t{phrase}"
            self._phrase_kinds[key] = (kind, payload)
            self.phrases.add(key, [self.make_doc(phrase)])

        cues = self.cues
        for iri, phrases in cues.relationships.items():
            for phrase in phrases:
                add("rel", iri, phrase)
        for iri, phrases in cues.statuses.items():
            for phrase in phrases:
                add(STATUS, iri, phrase)
        for cue in cues.attribution:
            add("attr", cue, cue.before or cue.after)
        for phrase in cues.start_time:
            add("start", phrase, phrase)
        for phrase in cues.end_time:
            add("end", phrase, phrase)
        for date_cue in cues.dates:
            add("reldate", date_cue, date_cue.phrase)
        for label, phrases in cues.approximations.items():
            for phrase in phrases:
                add("approx", label, phrase)
        for word in cues.numbers:
            add("number", word, word)
        for symbol in cues.units:
            add("unit", symbol, symbol)

        self.months = {fold(name): i for i, name in enumerate(calendar.month_name) if name}
        self.months.update({fold(name): i for i, name in enumerate(calendar.month_abbr) if name})
        self.weekdays = {fold(name): i for i, name in enumerate(calendar.day_name)}
        self.patterns = Matcher(nlp.vocab)
        month = {"NORM": {"IN": sorted(self.months)}, "IS_TITLE": True}
        day = {"IS_DIGIT": True, "LENGTH": {"<=": 2}}
        year = {"IS_DIGIT": True, "LENGTH": 4}
        comma = {"ORTH": ",", "OP": "?"}
        weekday = {"NORM": {"IN": sorted(self.weekdays)}, "IS_TITLE": True}
        self.patterns.add("date_mdy", [[month, day, comma, year], [month, day],
                                       [weekday, comma, month, day, comma, year], [weekday, comma, month, day]],
                          greedy="LONGEST")
        self.patterns.add("date_dmy", [[day, month, year], [day, month]], greedy="LONGEST")
        self.patterns.add("date_my", [[month, year]])
        self.patterns.add("date_y", [[year]])
        self.patterns.add("date_m", [[month]])
        self.patterns.add("date_wd", [[weekday]])
        self.patterns.add("number", [[{"LIKE_NUM": True, "IS_ALPHA": False}]])

        # Words that, before a month name, mean the month of the year the text last gave ("that July").
        self.month_back = {fold(c.phrase) for c in self.cues.dates if c.refers_back and c.precision == "month"}

        # The last word of each person's name, for a surname used alone ("Mott" for Carl Mott).
        self.surnames: dict[str, set[str]] = {}
        for entry, folded in zip(kg.names.entries, kg.names.folded, strict=True):
            words = folded.split()
            if (entry.kind == "label" and len(words) > 1 and words[-1] not in self.name_iris
                    and any(self.vocabulary.is_a(t, ONT + "Person") for t in self.types.get(entry.iri, []))):
                self.surnames.setdefault(words[-1], set()).add(entry.iri)

        # Cue words folded once: titles before names ("chief judge"), words inside names ("court").
        self.titles = sorted(((fold(cue.before).split(), cls) for cls, cues in self.cues.class_placed.items()
                              for cue in cues if cue.before and not cue.after), key=lambda tc: -len(tc[0]))
        self.name_words = [(cls, cue, re.compile(rf"(^|\s){re.escape(fold(cue))}(\s|$)"))
                           for cls, cues in sorted(self.cues.class_words.items()) for cue in cues]

    def make_doc(self, text: str) -> Doc:
        """A pattern's tokens, with folded norms, as the pipeline would give them."""
        return _fold_norms(self.nlp.make_doc(text))

    # -- the text ------------------------------------------------------------------------------

    def draft(self, text: str, *, published: PartialDate | None, source_id: str, text_file: str) -> Draft:
        """Propose entities, claims and figures for ``text`` (the stored text, whose offsets the sheet uses)."""
        lines = []
        offset = 0
        for raw in text.splitlines(keepends=True):
            line = raw.rstrip("\r\n")
            if line.strip() and not is_heading(line):
                lines.append((offset, line))
            offset += len(raw)
        reader = _Reader(self, text, published)
        for (line_start, _line), doc in zip(lines, self.nlp.pipe(line for _, line in lines), strict=True):
            reader.read(doc, line_start)
        return reader.finish(source_id, text_file)


# ----------------------------------------------------------------------------------------------
# Reading one text
# ----------------------------------------------------------------------------------------------


@dataclass
class _Cue:
    kind: str
    payload: Any
    start: int  # token offsets within the sentence's doc
    end: int
    text: str


class _Reader:
    """Reads the text line by line, keeping what spans lines: the candidates and the last date given."""

    def __init__(self, drafter: Drafter, text: str, published: PartialDate | None):
        self.d = drafter
        self.text = text
        self.published = published
        self.previous: DateGuess | None = None  # the last date the text gave, for "later that year"
        self.sentences: list[tuple[int, int]] = []
        self.mentions: list[Mention] = []
        self.candidates: dict[str, EntityGuess] = {}
        self.pending: list[tuple[int, Span, int, list[Mention], list[_Cue], list[DateGuess], list]] = []
        self.dates: list[DateGuess] = []
        self.capitalised_inside: set[str] = set()  # words seen capitalised not at a sentence start

    # -- one line ------------------------------------------------------------------------------

    def read(self, doc: Doc, base: int) -> None:
        from spacy.util import filter_spans

        d = self.d
        names = filter_spans([doc[s:e] for m, s, e in d.names(doc) if self._keep_name(doc, m, s, e)])
        name_keys = {(span.start, span.end): d.nlp.vocab.strings[m] for m, s, e in d.names(doc)
                     for span in [doc[s:e]]}
        cues = []
        for match_id, start, end in d.phrases(doc):
            kind, payload = d._phrase_kinds[d.nlp.vocab.strings[match_id]]
            cues.append(_Cue(kind, payload, start, end, doc[start:end].text))
        patterns = [(d.nlp.vocab.strings[m], s, e) for m, s, e in d.patterns(doc)]
        date_spans = filter_spans([doc[s:e] for label, s, e in patterns if label.startswith("date_")
                                   and not (label == "date_y" and self._counts(doc, e))]
                                  + [doc[c.start:c.end] for c in cues if c.kind == "reldate"])
        for sent in doc.sents:
            first = next((t.i for t in sent if t.is_alpha), -1)
            self.capitalised_inside.update(t.norm_ for t in sent if t.i != first and t.text[:1].isupper())
        for sent in doc.sents:
            number = len(self.sentences) + 1
            self.sentences.append((base + doc[sent.start:sent.end].start_char, base + sent.end_char))
            in_sent = [s for s in names if sent.start <= s.start and s.end <= sent.end]
            known = [Mention(base + s.start_char, base + s.end_char, s.text, number,
                             *self._iri(name_keys[(s.start, s.end)])) for s in in_sent]
            sent_cues = [c for c in cues if sent.start <= c.start and c.end <= sent.end]
            dates = [self._date(doc, span, patterns, sent_cues, base) for span in date_spans
                     if sent.start <= span.start and span.end <= sent.end]
            dates = [g for g in dates if g is not None]
            self.dates.extend(dates)
            runs = self._capitalised_runs(doc, sent, in_sent, date_spans)
            numbers = self._numbers(doc, sent, patterns, sent_cues, date_spans, in_sent)
            self.pending.append((number, sent, base, known, sent_cues, dates, [runs, numbers]))

    def _counts(self, doc: Doc, after: int) -> bool:
        """Whether a four-digit number counts something ("1500 people"), so is not a year ("in 2023 he")."""
        if after >= len(doc):
            return False
        word = doc[after]
        return (word.is_alpha and word.text.islower() and not word.is_stop
                and word.norm_ not in self.d.cues.particles and word.norm_ not in self.d.cues.clause_breaks)

    def _keep_name(self, doc: Doc, match_id: int, start: int, end: int) -> bool:
        """A one-word name written all in lower case ("crook", "luna") is a common word, not the name."""
        folded = self.d.nlp.vocab.strings[match_id]
        span = doc[start:end]
        if end - start == 1 and self.d.name_has_capitals.get(folded) and span.text == span.text.lower():
            return False
        return True

    def _iri(self, folded: str) -> tuple[str | None, str | None, tuple[str, ...]]:
        iris = sorted(self.d.name_iris.get(folded, ()))
        if len(iris) == 1:
            return iris[0], None, ()
        return None, None, tuple(iris)

    # -- dates -----------------------------------------------------------------------------------

    def _date(self, doc: Doc, span: Span, patterns: list, cues: list[_Cue], base: int) -> DateGuess | None:
        d = self.d
        labels = [label for label, s, e in patterns if s == span.start and e == span.end]
        words = [t.norm_ for t in span]
        text = span.text
        value: str | None = None
        inferred = False
        basis = None
        pub = self.published
        article = _article_date(pub)
        relative = [c for c in cues if c.kind == "reldate" and c.start == span.start and c.end == span.end]
        if relative:
            cue = relative[0].payload
            if cue.refers_back and cue.precision == "month":
                return None  # "that" before a month name: read with the month below
            anchor = self.previous if cue.refers_back else None
            start = _start_of(anchor.value) if anchor and anchor.value else (pub.start if pub else None)
            if start is None:
                return DateGuess(base + span.start_char, base + span.end_char, text, None, True,
                                 f"“{text}”: no publication date to work it out from")
            value = _shift(start, cue.precision, cue.offset)
            inferred = True
            if anchor and anchor.value:
                basis = f"“{text}” after the text's “{anchor.text}” ({anchor.value})"
            else:
                basis = f"“{text}” in an article of {article}"
        elif labels and labels[0] == "date_y" or (len(words) == 1 and words[0].isdigit()):
            value = words[0]
        elif any(label in ("date_my",) for label in labels) or (len(words) == 2 and words[1].isdigit()
                                                                 and words[0] in d.months and len(words[1]) == 4):
            value = f"{words[1]}-{d.months[words[0]]:02d}"
        elif words[0] in d.weekdays and len(words) == 1:
            if pub is None or pub.precision != "day":
                return DateGuess(base + span.start_char, base + span.end_char, text, None, True,
                                 f"“{text}”: no publication day to work it out from")
            back = (pub.start.weekday() - d.weekdays[words[0]]) % 7
            value = (pub.start - dt.timedelta(days=back)).isoformat()
            inferred = True
            basis = f"“{text}” in an article of {article}"
        elif words[0] in d.months and len(words) == 1:
            month = d.months[words[0]]
            before = doc[span.start - 1].norm_ if span.start > 0 else ""
            if before in d.month_back and self.previous and self.previous.value:
                year = int(self.previous.value[:4])
                value, inferred = f"{year:04d}-{month:02d}", True
                basis = f"“that {text}” after the text's “{self.previous.text}” ({self.previous.value[:4]})"
                span = doc[span.start - 1:span.end]
                text = span.text
            elif pub is not None:
                year = pub.start.year if month <= pub.start.month else pub.start.year - 1
                value, inferred = f"{year:04d}-{month:02d}", True
                basis = f"“{text}” in an article of {article}: the last {text} before it"
            else:
                return None
        else:
            month_words = [w for w in words if w in d.months]
            digits = [w for w in words if w.isdigit()]
            if not month_words or not digits:
                return None
            month = d.months[month_words[0]]
            day = int(next(w for w in digits if len(w) <= 2))
            years = [w for w in digits if len(w) == 4]
            if years:
                value = f"{years[0]}-{month:02d}-{day:02d}"
            elif pub is not None:
                year = pub.start.year if (month, day) <= (pub.start.month, pub.start.day) else pub.start.year - 1
                value, inferred = f"{year:04d}-{month:02d}-{day:02d}", True
                basis = f"“{text}” in an article of {article}: the year is the article's"
            else:
                return None
        try:
            PartialDate(value, {4: "year", 7: "month", 10: "day"}[len(value)]).end  # noqa: B018 - checks it
        except (ValueError, KeyError):
            return None
        role = POINT_IN_TIME
        for cue in cues:
            if cue.end in (span.start, span.start - 1) and cue.kind in ("start", "end"):
                role = START_TIME if cue.kind == "start" else END_TIME
        guess = DateGuess(base + span.start_char, base + span.end_char, text, value, inferred, basis, role)
        self.previous = guess
        return guess

    # -- candidate names -----------------------------------------------------------------------------

    def _capitalised_runs(self, doc: Doc, sent: Span, known: list[Span], dates: list[Span]) -> list[Span]:
        """Runs of capitalised words (with name particles between them) that are not dates."""
        blocked = {i for span in dates for i in range(span.start, span.end)}
        runs: list[list[int]] = []
        current: list[int] = []
        particles: list[int] = []
        for token in sent:
            capital = token.text[:1].isupper() and token.is_alpha or (token.text[:1].isupper() and "." in token.text)
            if capital and token.i not in blocked:
                if current and particles:
                    current.extend(particles)
                current.append(token.i)
                particles = []
            elif current and token.norm_ in self.d.cues.particles and len(particles) < 2:
                particles.append(token.i)
            else:
                if current:
                    runs.append(current)
                current, particles = [], []
        if current:
            runs.append(current)
        return [doc[r[0]:r[-1] + 1] for r in runs]

    def _numbers(self, doc: Doc, sent: Span, patterns: list, cues: list[_Cue], dates: list[Span],
                 known: list[Span]) -> list[tuple[int, int, int | Decimal]]:
        """(first token, last token + 1, value) of each number that is not part of a date or a name."""
        blocked = {i for span in (*dates, *known) for i in range(span.start, span.end)}
        found: dict[int, tuple[int, int | Decimal]] = {}
        for label, s, e in patterns:
            if label == "number" and sent.start <= s < sent.end and s not in blocked:
                try:
                    found[s] = (e, Decimal(doc[s].text.replace(",", "")))
                except InvalidOperation:
                    continue
        for cue in cues:
            if cue.kind == "number" and cue.start not in blocked and not self.d.cues.numbers[cue.payload][1]:
                found.setdefault(cue.start, (cue.end, Decimal(self.d.cues.numbers[cue.payload][0])))
        result = []
        for start, (end, value) in sorted(found.items()):
            scales = [c for c in cues if c.kind == "number" and c.start == end and self.d.cues.numbers[c.payload][1]]
            if scales:
                value *= self.d.cues.numbers[scales[0].payload][0]
                end = scales[0].end
            result.append((start, end, int(value) if value == value.to_integral_value() else value))
        return result

    # -- finishing: candidates, claims, figures ---------------------------------------------------------

    def finish(self, source_id: str, text_file: str) -> Draft:
        claims: list[ClaimGuess] = []
        figures: list[FigureGuess] = []
        for number, sent, base, known, cues, dates, (runs, numbers) in self.pending:
            new = self._candidates(sent, base, number, runs, known)
            groups = self._groups(sent, base, number, numbers, cues, known + new)
            # A name inside a longer new name is part of it; a name inside a group's description stays.
            named_spans = {(m.start, m.end) for m in new}
            mentions = sorted([m for m in known if not any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end)
                                                            for s, e in named_spans)] + new + groups,
                              key=lambda m: m.start)
            self.mentions.extend(mentions)
            claims.extend(self._claims(number, sent, base, mentions, cues, dates, len(claims)))
            figures.extend(self._figures(number, sent, base, numbers, cues, dates, mentions, len(figures)))
        entities = sorted(self.candidates.values(), key=lambda e: e.mentions[0])
        for entity in entities:
            entity.closest = closest_names(self.d.kg.names, entity.label)
        return Draft(source_id, text_file, hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
                     self.published, self.sentences, self.mentions, entities, claims, figures, self.dates)

    def _candidates(self, sent: Span, base: int, number: int, runs: list[Span], known: list[Mention]) -> list[Mention]:
        """Candidate new entities in one sentence, as mentions carrying their proposed keys."""
        out = []
        first_word = next((t.i for t in sent if t.is_alpha), -1)
        particles = self.d.cues.particles
        for run in runs:
            tokens = list(run)
            # "Relatives of Venezuelan men": a sentence's first word, capitalised only there, is not
            # the start of a name that runs on through a particle.
            # Titles before a name ("President", "Chief Judge") are not part of it.
            title_class, title = self._title(tokens)
            if (not title and len(tokens) > 2 and tokens[0].i == first_word
                    and tokens[0].norm_ not in self.capitalised_inside and tokens[1].norm_ in particles):
                tokens = tokens[1:]
            if title:
                tokens = tokens[len(title):]
            for index, piece in enumerate(self._split_at_particle(tokens, bool(title))):
                mention = self._candidate(sent, base, number, piece, known,
                                          title_class if index == 0 else None, title if index == 0 else [])
                if mention is not None:
                    out.append(mention)
        return out

    def _groups(self, sent: Span, base: int, number: int, numbers: list, cues: list[_Cue],
                named: list[Mention]) -> list[Mention]:
        """Counted people ("238 Venezuelan men", "23 of the deportees") as candidate groups of people."""
        doc = sent.doc
        out = []
        for start, end, _value in numbers:
            if any(c.kind == "unit" and (c.end == start or c.start == end) for c in cues):
                continue
            unit, last = self._unit_after(doc, end, sent.end)
            if unit is None or not any(" ".join(t.norm_ for t in doc[i:last]) in self.d.cues.group_nouns
                                       for i in range(end, last)):
                continue
            first = next((c.start for c in cues if c.kind == "approx" and c.end == start), start)
            label = unit
            after = [m for m in named if m.start - base >= doc[last - 1].idx + len(doc[last - 1].text)]
            if last < sent.end and doc[last].norm_ in self.d.cues.particles and after:
                tail = doc.char_span(after[0].start - base, after[0].end - base, alignment_mode="expand")
                if tail is not None and all(t.norm_ in self.d.cues.particles for t in doc[last:tail.start]):
                    label, last = f"{unit} {doc[last:tail.end].text}", tail.end  # "members of Tren de Aragua"
            start_char, end_char = base + doc[first].idx, base + doc[last - 1].idx + len(doc[last - 1].text)
            if any(m.start < end_char and start_char < m.end for m in named if not (m.start >= base + doc[end].idx)):
                continue
            entity = self.candidates.get(fold(label))
            if entity is None:
                entity = self.candidates[fold(label)] = EntityGuess(
                    self._key(label), label, "Group", f"a count of people: “{doc[first:last].text}”")
            entity.mentions.append((start_char, end_char))
            out.append(Mention(start_char, end_char, self.text[start_char:end_char], number, key=entity.key))
        return out

    def _candidate(self, sent: Span, base: int, number: int, tokens: list, known: list[Mention],
                   title_class: str | None, title: list) -> Mention | None:
        doc = sent.doc
        particles = self.d.cues.particles
        while tokens and (tokens[0].is_stop or tokens[0].norm_ in particles):
            tokens = tokens[1:]
        while tokens and (tokens[-1].is_stop or tokens[-1].norm_ in particles):
            tokens = tokens[:-1]
        if not tokens:
            return None
        start_char, end_char = base + tokens[0].idx, base + tokens[-1].idx + len(tokens[-1].text)
        inside = [m for m in known if start_char <= m.start and m.end <= end_char]
        if inside and (end_char - start_char) - sum(m.end - m.start for m in inside) <= 1:
            return None  # the run is a known name (with a title before it)
        if any(m.start < end_char and start_char < m.end and not (start_char <= m.start and m.end <= end_char)
               for m in known):
            return None  # overlaps a known name without containing it
        if len(tokens) == 1:
            word = tokens[0]
            # A surname alone names the person already named in full: "Mott" after "Carl Mott".
            people = self.d.surnames.get(word.norm_, set())
            if len(people) == 1:
                return Mention(start_char, end_char, word.text, number, iri=next(iter(people)))
            named = [e for e in self.candidates.values()
                     if e.type == "Person" and len(e.label.split()) > 1 and fold(e.label.split()[-1]) == word.norm_]
            if len(named) == 1:
                named[0].mentions.append((start_char, end_char))
                return Mention(start_char, end_char, word.text, number, key=named[0].key)
            after = doc[word.i + 1] if word.i + 1 < len(doc) else None
            first_word = next((t for t in sent if t.is_alpha), None)
            if first_word is not None and word.i == first_word.i and word.norm_ not in self.capitalised_inside:
                return None  # a capitalised first word of a sentence only
            if self._placed_class(tokens) is None and after is not None and after.is_alpha and after.text.islower():
                return None  # "Venezuelan men": a capitalised word before a common one is an adjective
        label = doc[tokens[0].i:tokens[-1].i + 1].text
        entity = self.candidates.get(fold(label))
        if entity is None:
            cls, reason = self._class(tokens, title_class, title)
            entity = self.candidates[fold(label)] = EntityGuess(self._key(label), label, cls, reason)
        entity.mentions.append((start_char, end_char))
        return Mention(start_char, end_char, label, number, key=entity.key)

    def _split_at_particle(self, tokens: list, titled: bool) -> list[list]:
        """A person's name does not run on through "of" into the body they belong to: "Judge James
        Boasberg of the District Court" is two names, "District of Columbia" one."""
        at = next((i for i, t in enumerate(tokens) if t.norm_ in self.d.cues.particles and i > 0), None)
        if at is None:
            return [tokens]
        left, right = tokens[:at], tokens[at:]
        words = " ".join(t.norm_ for t in right)
        has_word = any(pattern.search(words) for _, _, pattern in self.d.name_words)
        if titled or (len(left) >= 2 and all(t.is_title for t in left) and has_word):
            return [left, right]
        return [tokens]

    def _title(self, tokens: list) -> tuple[str | None, list]:
        """The longest title cue ("Chief Judge X") that the run starts with, and its class."""
        words = [t.norm_ for t in tokens]
        for title, cls in self.d.titles:
            if len(words) > len(title) and words[:len(title)] == title:
                return cls, tokens[:len(title)]
        return None, []

    def _placed_class(self, tokens: list) -> tuple[str, Placed] | None:
        doc = tokens[0].doc
        for cls, cues in sorted(self.d.cues.class_placed.items()):
            for cue in cues:
                if cue.before and not cue.after:
                    words = fold(cue.before).split()
                    i = tokens[0].i
                    if i >= len(words) and [t.norm_ for t in doc[i - len(words):i]] == words:
                        return cls, cue
                elif cue.after and not cue.before:
                    words = fold(cue.after).split()
                    j = tokens[-1].i + 1
                    if [t.norm_ for t in doc[j:j + len(words)]] == words:
                        return cls, cue
        return None

    def _class(self, tokens: list, title_class: str | None, title: list) -> tuple[str, str]:
        """The proposed class of a candidate, and why."""
        words = " ".join(t.norm_ for t in tokens)
        for cls, cue, pattern in self.d.name_words:
            if pattern.search(words):
                return _local(cls), f"“{cue}” in the name"
        if title_class:
            return _local(title_class), f"“{' '.join(t.text for t in title)}” before the name"
        placed = self._placed_class(tokens)
        if placed:
            return _local(placed[0]), f"“{placed[1].phrase}” around the name"
        if 2 <= len(tokens) <= 3 and all(t.is_title for t in tokens):
            return "Person", "two or three capitalised words, as in a person's name"
        return "Entity", "no cue: choose its class"

    def _key(self, label: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-") or "entity"
        key, n = base, 1
        taken = {e.key for e in self.candidates.values()}
        while key in taken or ID + key in self.d.types:
            n += 1
            key = f"{base}-{n}"
        return key

    # -- claims -------------------------------------------------------------------------------------

    def _claims(self, number: int, sent: Span, base: int, mentions: list[Mention], cues: list[_Cue],
                dates: list[DateGuess], done: int) -> list[ClaimGuess]:
        if len({m.ref or m.text for m in mentions}) < 2:
            return []
        span = self.sentences[number - 1]
        quote = self.text[span[0]:span[1]]
        positions = {id(m): self._token_index(sent, base, m) for m in mentions}
        # The same words may cue several relationship types ("said"): keep the one whose domain and
        # range fit the names around it best.
        claims: list[ClaimGuess] = []
        seen: set[tuple] = set()
        groups = _overlapping([c for c in cues if c.kind == "rel"])
        chosen = []
        for group in groups or [[None]]:
            options = [self._roles(sent, cue, mentions, positions, cues) for cue in group]
            # The best fit; between equals, the longer phrase ("agreed to" over "agreed").
            chosen.append(max(options, key=lambda o: (o["score"], (o["cue"].end - o["cue"].start) if o["cue"] else 0)))
        # Speech that carries a relationship of its own ("X said that Y paid Z") is that relationship,
        # asserted by X; "said about" is for speech that carries none.
        others = [o["cue"] for o in chosen if o["cue"] is not None and not o.get("speech")]
        chosen = [o for o in chosen if not (o.get("speech") and any(c.start >= o["cue"].end for c in others))]
        # A cue with no name on either side proposes nothing, unless it is all the sentence has.
        useful = [o for o in chosen if o["subject"] is not None or o["object"] is not None]
        for best in useful or chosen[:1]:
            subject, object_, cue = best["subject"], best["object"], best["cue"]
            relationship = None
            if cue is not None:
                rel = self.d.vocabulary.relationships.get(cue.payload)
                relationship = rel.label if rel else None
            key = (subject.ref if subject else None, relationship, object_.ref if object_ else None)
            if key in seen:
                continue
            seen.add(key)
            used = [c.text for c in (cue, best["status_cue"], best["party_cue"]) if c is not None]
            party = best["party"]
            claims.append(ClaimGuess(
                id=f"c{done + len(claims) + 1}", sentence=number, quote=quote, span=span,
                subject=subject.ref if subject else None, relationship=relationship,
                object=object_.ref if object_ else None, status=best[STATUS],
                asserted_by=party.ref if party else "reporting",
                dates=self._pick_dates(dates, sent, base, cue), mentions=mentions,
                cues=list(dict.fromkeys(used)), notes=best["notes"], content=best.get(CONTENT)))
        return claims

    def _said(self, sent: Span, verb: _Cue) -> str | None:
        """What was said: the quotation in the sentence, else the words after the verb."""
        doc = sent.doc
        opening = next((t for t in sent if t.is_left_punct and t.is_quote), None)
        if opening is not None:
            closing = next((t for t in doc[opening.i + 1:sent.end] if t.is_right_punct and t.is_quote), None)
            if closing is not None and closing.i > opening.i + 1:
                words = doc[opening.i + 1:closing.i].text.rstrip(" ,.;:")
                return words or None
        tail = doc[verb.end:sent.end]
        words = tail.text.rstrip(" .;:!?”\"’'")
        return words or None

    def _roles(self, sent: Span, cue: _Cue | None, mentions: list[Mention], positions: dict,
               cues: list[_Cue]) -> dict[str, Any]:
        """Subject, object, asserting party and status for one relationship cue, and how well they fit."""
        attribution = self._attribution(sent, cues, mentions, positions, cue)
        party, party_cue = attribution if attribution else (None, None)
        notes: list[str] = []
        if cue is None:
            ordered = [m for m in mentions if m is not party] or mentions
            subject = ordered[0]
            object_ = next((m for m in ordered[1:] if m.ref != subject.ref), None)
            status, status_cue = self._status(sent, cues, None, party_cue)
            return {"score": 0, "subject": subject, "object": object_, "cue": None, "party": party,
                    "party_cue": party_cue, STATUS: status, "status_cue": status_cue,
                    "notes": ["no cue phrase for a relationship: choose one"]}
        rel = self.d.vocabulary.relationships.get(cue.payload)
        domain, range_ = (rel.domain, rel.range) if rel else (None, None)
        speech = party_cue is not None and party_cue.start < cue.end and cue.start < party_cue.end
        if speech:
            # The words that name the speaker cue the relationship itself ("X said ... about Y"): the
            # speaker is its subject, and the speech is the speaker's claim.
            object_ = self._fit([m for m in mentions if positions[id(m)][0] >= cue.end and m is not party], range_)
            status, status_cue = self._status(sent, cues, cue, party_cue)
            return {"score": self._fits(party, domain) + self._fits(object_, range_) + 1, "subject": party,
                    "object": object_, "cue": cue, "party": party, "party_cue": party_cue, STATUS: status,
                    "speech": True, CONTENT: self._said(sent, cue),
                    "status_cue": status_cue, "notes": [] if object_ else ["the draft found no name for the object"]}
        floor = party_cue.end if party_cue is not None and party_cue.end <= cue.start else -1
        before = [m for m in mentions if floor <= positions[id(m)][0] and positions[id(m)][1] <= cue.start
                  and m is not party]
        after = [m for m in mentions if positions[id(m)][0] >= cue.end and m is not party]
        if len(before) >= 2 and self._aside(sent, positions[id(before[-2])][1]) and self._aside(sent, cue.end):
            subject, object_ = before[-2], before[-1]  # "X, the Y press secretary, ...": both before the cue
        else:
            subject = self._head(sent, self._fit(list(reversed(before)), domain), before, positions, domain)
            object_ = self._fit(after, range_)
        if subject is None or object_ is None:
            which = "subject" if subject is None and object_ is not None else (
                "object" if subject is not None else "subject or the object")
            notes.append(f"the draft found no name for the {which} around the cue")
        status, status_cue = self._status(sent, cues, cue, party_cue)
        score = self._fits(subject, domain) + self._fits(object_, range_)
        return {"score": score, "subject": subject, "object": object_, "cue": cue, "party": party,
                "party_cue": party_cue, STATUS: status, "status_cue": status_cue, "notes": notes}

    def _head(self, sent: Span, mention: Mention | None, before: list[Mention], positions: dict,
              wanted: str | None) -> Mention | None:
        """In "Ana Torres of Freedonia offered", the subject is Ana Torres, not Freedonia."""
        doc = sent.doc
        while mention is not None:
            start = positions[id(mention)][0]
            while start - 1 > sent.start and doc[start - 1].norm_ in self.d.cues.particles:
                start -= 1  # "of the"
            if start == positions[id(mention)][0]:
                break
            head = next((m for m in before if positions[id(m)][1] == start), None)
            if head is None or not self._fits(head, wanted):
                break
            mention = head
        return mention

    def _aside(self, sent: Span, after: int) -> bool:
        """Whether a comma follows the token position ``after`` (an aside or apposition starts there)."""
        return after < sent.end and sent.doc[after].text == ","

    def _fits(self, mention: Mention | None, wanted: str | None) -> int:
        """2 when the mention's class fits the domain or range, 1 when the class is unknown, 0 otherwise."""
        if mention is None:
            return 0
        classes = self._classes(mention)
        if not wanted or not classes:
            return 1
        return 2 if any(self.d.vocabulary.is_a(c, wanted) for c in classes) else 0

    def _token_index(self, sent: Span, base: int, mention: Mention) -> tuple[int, int]:
        doc = sent.doc
        span = doc.char_span(mention.start - base, mention.end - base, alignment_mode="expand")
        return (span.start, span.end) if span is not None else (sent.start, sent.start)

    def _fit(self, mentions, wanted: str | None) -> Mention | None:
        """The first mention whose class fits ``wanted`` (a domain or range), else the first whose class
        is unknown; None when every name there is of a class that cannot fit."""
        mentions = list(mentions)
        for score in (2, 1):
            for m in mentions:
                if self._fits(m, wanted) == score:
                    return m
        return None

    def _classes(self, mention: Mention) -> list[str]:
        if mention.iri:
            return self.d.types.get(mention.iri, [])
        entity = next((e for e in self.candidates.values() if e.key == mention.key), None)
        return [ONT + entity.type] if entity else []

    def _is_actor(self, mention: Mention) -> bool:
        return any(self.d.vocabulary.is_a(c, ONT + "Actor") for c in self._classes(mention))

    def _attribution(self, sent: Span, cues: list[_Cue], mentions: list[Mention], positions: dict,
                     near: _Cue | None):
        """(asserting party, its cue) from "according to X" or "X said", the nearest to ``near``."""
        doc = sent.doc
        found = []
        for cue in cues:
            if cue.kind != "attr":
                continue
            placed: Placed = cue.payload
            if placed.before:  # "according to X", "said X": the actor right after the phrase ("the" allowed)
                if cue.start > sent.start and not doc[cue.start - 1].is_punct:
                    continue  # "..., said Rubio", "According to Bukele, ...": not "said more than 250 members"
                party = next((m for m in mentions if positions[id(m)][0] >= cue.end and self._is_actor(m)), None)
                if party is not None and all(t.norm_ in self.d.cues.particles
                                             for t in doc[cue.end:positions[id(party)][0]]):
                    found.append((party, cue))
                continue
            # "X said", "X, the White House press secretary, said": the actor before the verb, or before
            # the aside between commas that precedes it.
            end = cue.start
            if end - 1 > sent.start and doc[end - 1].text == ",":
                opening = next((i for i in range(end - 2, sent.start - 1, -1) if doc[i].text == ","), None)
                if opening is not None:
                    end = opening
            party = next((m for m in reversed(mentions) if positions[id(m)][1] <= end and self._is_actor(m)), None)
            if party is None or end - positions[id(party)][1] > 8:
                continue
            if near is not None and positions[id(party)][1] <= near.start and near.end <= cue.start:
                continue  # "X, [an aside with the cue], said ...": what X said comes after the verb
            found.append((party, cue))
        if not found:
            return None
        anchor = near.start if near is not None else 0
        return min(found, key=lambda pc: abs(pc[1].start - anchor))

    def _status(self, sent: Span, cues: list[_Cue], near: _Cue | None,
                party_cue: _Cue | None) -> tuple[str, _Cue | None]:
        """The status whose cue is nearest the relationship's cue in its clause (or is the asserting
        party's own verb, "accused"); "claimed" when a party is quoted and no other status is cued;
        else "reported"."""
        labels = self.d.cues.status_labels

        def counts(cue: _Cue) -> bool:
            if cue.kind != STATUS:
                return False
            if party_cue is not None and cue.start < party_cue.end and party_cue.start < cue.end:
                return True
            if cue.payload == ONT + "Claimed" and party_cue is None:
                return False  # "said" makes a claim one party's only when that party asserts it
            return near is None or self._same_clause(sent, cue, near)

        options = [c for c in cues if counts(c)]
        if options:
            anchor = near.start if near is not None else (party_cue.start if party_cue else 0)
            best = min(options, key=lambda c: (abs(c.start - anchor), c.payload == ONT + "Claimed"))
            return labels.get(best.payload, best.payload.removeprefix(ONT)), best
        if party_cue is not None:
            return labels.get(ONT + "Claimed", _local(ONT + "Claimed")), None
        return labels.get(ONT + "Reported", _local(ONT + "Reported")), None

    def _same_clause(self, sent: Span, a: _Cue, b: _Cue) -> bool:
        """No punctuation and no clause break ("and", "but") between the two cues."""
        lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
        return not any(t.is_punct or t.norm_ in self.d.cues.clause_breaks for t in sent.doc[lo:hi])

    def _pick_dates(self, dates: list[DateGuess], sent: Span, base: int, near: _Cue | None) -> dict[str, DateGuess]:
        """One date per role: the nearest to the cue in its own clause, else the nearest in the sentence."""
        if not dates:
            return {}
        doc = sent.doc
        if near is None:
            start = end = sent.start_char
        else:
            start, end = doc[near.start].idx, doc[near.end - 1].idx + len(doc[near.end - 1].text)

        def rank(guess: DateGuess) -> tuple[bool, int]:
            g_start, g_end = guess.start - base, guess.end - base
            lo, hi = (g_end, start) if g_end <= start else (end, g_start)
            between = doc.char_span(lo, hi, alignment_mode="expand") if hi > lo else None
            apart = between is not None and any(t.is_punct or t.norm_ in self.d.cues.clause_breaks for t in between)
            return apart, max(hi - lo, 0)

        picked: dict[str, DateGuess] = {}
        for guess in sorted(dates, key=rank):
            if guess.value is not None:
                picked.setdefault(guess.role, guess)
        return picked

    # -- figures ------------------------------------------------------------------------------------

    def _figures(self, number: int, sent: Span, base: int, numbers: list, cues: list[_Cue],
                 dates: list[DateGuess], mentions: list[Mention], done: int) -> list[FigureGuess]:
        doc = sent.doc
        figures = []
        positions = {id(m): self._token_index(sent, base, m) for m in mentions}
        for start, end, value in numbers:
            first, used = start, []
            unit = None
            units = [c for c in cues if c.kind == "unit" and c.end == first]
            if units:
                unit, first = self.d.cues.units[units[0].payload], units[0].start
                used.append(units[0].text)
            approx = [c for c in cues if c.kind == "approx" and c.end == first]
            approximation = "exact"
            if approx:
                approximation, first = approx[0].payload, approx[0].start
                used.append(approx[0].text)
            last = end
            after_units = [c for c in cues if c.kind == "unit" and c.start == end]
            if unit is None and after_units:
                unit, last = self.d.cues.units[after_units[0].payload], after_units[0].end
            if unit is None:
                unit, last = self._unit_after(doc, end, sent.end)
            if unit is None:
                continue  # a bare number (an age, a count with nothing counted) is left to the reader
            start_char, end_char = base + doc[first].idx, base + doc[last - 1].idx + len(doc[last - 1].text)
            fake = _Cue("figure", None, start, end, doc[start:end].text)
            attribution = self._attribution(sent, cues, mentions, positions, fake)
            party, party_cue = attribution if attribution else (None, None)
            status, status_cue = self._status(sent, [c for c in cues if c.kind == STATUS
                                                      and c.payload != ONT + "Offered"], fake, party_cue)
            figures.append(FigureGuess(
                id=f"f{done + len(figures) + 1}", sentence=number, quote=self.text[start_char:end_char],
                span=(start_char, end_char), value=value, unit=unit, approximation=approximation,
                asserted_by=party.ref if party else "reporting", status=status,
                dates=self._pick_dates(dates, sent, base, fake),
                cues=used + [c.text for c in (status_cue, party_cue) if c is not None]))
        return figures

    def _unit_after(self, doc: Doc, end: int, limit: int) -> tuple[str | None, int]:
        """The words a number counts: "238 Venezuelan men" -> "Venezuelan men", "23 of the deportees"."""
        i = end
        if i < limit and doc[i].norm_ in self.d.cues.particles:
            i += 1
            if i < limit and doc[i].is_stop:
                i += 1
        words = []
        while i < limit and doc[i].is_alpha and len(words) < 2:
            token = doc[i]
            if token.is_stop and not words:
                return None, end
            words.append(token)
            i += 1
            if not token.text[:1].isupper():
                break
        if not words or words[-1].text[:1].isupper() or words[-1].is_stop:
            return None, end
        return " ".join(t.text for t in words), i


def closest_names(index: NameIndex, label: str, limit: int = 3) -> list[dict[str, Any]]:
    """The existing entities whose names are nearest ``label``, best first, one per entity.

    A name whose words all occur in ``label`` counts as a full match when it is long enough to mean
    something ("nayib bukele" in "Nayib Bukele Ortez", not "u.s." in "U.S. District Court").
    """
    from rapidfuzz import fuzz, process

    query = fold(label)
    scores: dict[int, float] = {}
    for at, score in ((i, s) for _, s, i in process.extract(query, index.folded, scorer=fuzz.token_sort_ratio,
                                                             limit=limit * 4, score_cutoff=CLOSEST_CUTOFF)):
        scores[at] = max(scores.get(at, 0.0), score)
    for _, score, at in process.extract(query, index.folded, scorer=fuzz.token_set_ratio, limit=limit * 4,
                                        score_cutoff=100):
        shorter = min(index.folded[at], query, key=len)
        if len(shorter.split()) >= 2 or len(shorter) >= 6:
            scores[at] = max(scores.get(at, 0.0), score)
    best: dict[str, dict[str, Any]] = {}
    for at, score in sorted(scores.items(), key=lambda item: -item[1]):
        entry = index.entries[at]
        if entry.iri.startswith(ID) and entry.iri not in best:
            best[entry.iri] = {"id": entry.iri.removeprefix(ID), "label": entry.label, "score": round(score)}
    return sorted(best.values(), key=lambda c: (-c["score"], c["label"]))[:limit]


def _overlapping(cues: list[_Cue]) -> list[list[_Cue]]:
    """Cues grouped where their words overlap ("offered" inside "offered to"), in text order."""
    groups: list[list[_Cue]] = []
    for cue in sorted(cues, key=lambda c: (c.start, -c.end)):
        if groups and any(cue.start < other.end for other in groups[-1]):
            groups[-1].append(cue)
        else:
            groups.append([cue])
    return groups


def _local(iri: str) -> str:
    return iri.removeprefix(ONT)


def _article_date(published: PartialDate | None) -> str:
    if published is None:
        return "unknown date"
    if published.precision == "day":
        start = published.start
        return f"{calendar.day_name[start.weekday()]} {start.day} {calendar.month_name[start.month]} {start.year}"
    if published.precision == "month":
        return f"{calendar.month_name[published.start.month]} {published.start.year}"
    return published.text


def _start_of(value: str) -> dt.date:
    return PartialDate(value, {4: "year", 7: "month", 10: "day"}[len(value)]).start


def _shift(start: dt.date, precision: str, offset: int) -> str:
    if precision == "year":
        return f"{start.year + offset:04d}"
    if precision == "month":
        months = start.year * 12 + start.month - 1 + offset
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return (start + dt.timedelta(days=offset)).isoformat()


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------


def draft_text(kg: KnowledgeGraph, text: str, *, published: str | PartialDate | None = None,
               source_id: str = "doc-draft", text_file: str = "") -> Draft:
    """Draft proposals for ``text`` against the entities and cue phrases of ``kg``."""
    from .dates import parse_date

    when = parse_date(published) if isinstance(published, str) else published
    return Drafter(kg).draft(text, published=when, source_id=source_id, text_file=text_file)


_DOCUMENT = """
SELECT ?file ?title ?label ?published WHERE {
  #@values
  ?document ag:textFile ?file .
  OPTIONAL { ?document dct:title ?title }
  OPTIONAL { ?document rdfs:label ?label }
  OPTIONAL { ?document ag:publicationDate ?pd . ?pd ag:dateValue ?published }
}
"""


@dataclass(frozen=True)
class SourceText:
    """A source document of the graph with its stored text."""

    iri: str
    title: str
    text_file: str
    text: str
    published: PartialDate | None

    @property
    def id(self) -> str:
        return self.iri.removeprefix(ID)


def source_text(kg: KnowledgeGraph, source: str, graph_dir: str | Path | None = None) -> SourceText:
    """The document named ``source`` (by id, title or file name) and its stored text."""
    import pyoxigraph as ox

    from .coverage import read_source
    from .dates import parse_date

    iri = kg.resolve_document(source)
    rows = kg.store.select(_DOCUMENT, {"document": ox.NamedNode(iri)}).rows
    if not rows:
        raise UsageError(f"source {source!r} has no stored text (ag:textFile)")
    row = rows[0]
    text_file = str(to_python(row["file"]))
    published = to_python(row.get("published"))
    text = read_source(Path(graph_dir or kg.graph_dir) / text_file, iri)
    title = str(to_python(row.get("title")) or to_python(row.get("label")) or iri.removeprefix(ID))
    return SourceText(iri, title, text_file, text, parse_date(str(published)) if published is not None else None)


def draft_source(kg: KnowledgeGraph, source: str | SourceText, graph_dir: str | Path | None = None) -> Draft:
    """Draft proposals for a source document of the graph, named by id, title or file name."""
    doc = source if isinstance(source, SourceText) else source_text(kg, source, graph_dir)
    return Drafter(kg).draft(doc.text, published=doc.published, source_id=doc.id, text_file=doc.text_file)


def sheet_name(text_file: str) -> str:
    """The default file name of a source's sheet: ``sources/article.txt`` -> ``article.sheet.yaml``."""
    stem = Path(text_file).stem
    return f"{stem}.sheet.yaml" if stem else "source.sheet.yaml"
