"""The review sheet (docs/review-sheet.md) of a draft, as YAML text with comments for the reviewer.

YAML keeps the comments and diffs well; every scalar is written so that YAML reads back the same text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .draft import DateGuess, Draft
from .evidence import ASSERTED_BY, CONTENT, DATE_KEYS, INFERRED, QUOTE, REASON, ROLE, SCOPE, STATUS
from .sheet import FORMAT
from .store import ID

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ._/-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "nan", "inf"}


def _scalar(value: Any) -> str:
    """One YAML scalar: plain where YAML reads it back as the same text, else double-quoted."""
    import json

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return text  # a date, read back as written
    if _PLAIN.match(text) and text.casefold() not in _RESERVED and not text.endswith((" ", ".")):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(mapping: dict[str, Any]) -> str:
    parts = []
    for key, value in mapping.items():
        if isinstance(value, tuple | list):
            parts.append(f"{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            parts.append(f"{key}: {_scalar(value)}")
    return "{" + ", ".join(parts) + "}"


def _comment(text: str, indent: str = "  ") -> list[str]:
    """A reviewer's note as YAML comment lines (control characters and line breaks flattened)."""
    flat = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())
    return [f"{indent}# {flat}"]


def _dates(dates: dict[str, DateGuess]) -> list[str]:
    """A claim's or figure's dates, each with the words it was read from as a comment."""
    lines = []
    for role in DATE_KEYS:
        guess = dates.get(role)
        if guess is not None:
            fields: dict[str, Any] = {"value": guess.value, INFERRED: guess.inferred}
            if guess.inferred:
                fields["basis"] = guess.basis
            lines.append(f"{role}: {_flow(fields)}  # read from “{guess.text}”")
    return lines


def _item(fields: dict[str, Any]) -> list[str]:
    """One proposal as YAML lines, its keys in order: scalars, flow lists of scalars, and ``_Block``s of
    lines written under their key."""
    out = []
    for n, (key, value) in enumerate(fields.items()):
        lead = "  - " if n == 0 else "    "
        if isinstance(value, _Block):
            out.append(f"{lead}{key}:" if value else f"{lead}{key}: {value.empty}")
            out += [f"      {line}" for line in value]
        elif isinstance(value, list):
            out.append(f"{lead}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            out.append(f"{lead}{key}: {_scalar(value)}")
    return out


class _Block(list):
    """Lines written under a key; ``empty`` is what the key says when there are none ([] or {})."""

    def __init__(self, lines, empty: str = "[]"):
        super().__init__(lines)
        self.empty = empty


def sheet_head(source_id: str, text_file: str | None, sha256: str, published: str | None) -> list[str]:
    """The lines that open every review sheet: its format and its source."""
    return [
        f"format: {FORMAT}",
        "source:",
        f"  id: {_scalar(source_id)}",
        f"  text_file: {_scalar(text_file)}",
        f"  sha256: {sha256}",
        f"  published: {_scalar(published)}",
    ]


def render_sheet(draft: Draft, title: str | None = None) -> str:
    """The review sheet for ``draft`` as YAML text: every proposal unaccepted, with notes as comments."""
    out = [
        f"# Review sheet drafted by `actorgraph draft` for {_scalar(title or draft.source_id)}"
        f" ({draft.text_file or 'no stored file'}).",
        "# Nothing in it is in the graph. Set accept: true on what the text says, fix what the draft got",
        "# wrong, leave the rest; then `actorgraph add` this file. Quotes must stay exact spans of the text.",
        f"# Proposed from {len(draft.sentences)} sentences: {len(draft.entities)} new entities, "
        f"{len(draft.claims)} claims, {len(draft.figures)} figures.",
        *sheet_head(draft.source_id, draft.text_file or None, draft.sha256,
                    draft.published.text if draft.published else None),
        "",
        "entities:" if draft.entities else "entities: []",
    ]
    for entity in draft.entities:
        check = (" Is it one of the closest names below? Then set same_as to its id instead of creating it."
                 if entity.closest else "")
        out += _comment(f"{entity.label}: proposed as {entity.type} ({entity.type_reason}).{check}")
        out += _item({
            "key": entity.key, "accept": False, "label": entity.label, "type": entity.type, "aliases": [],
            "comment": None, "mentions": _Block([f"- [{s}, {e}]" for s, e in entity.mentions]),
            "closest": _Block([f"- {_flow(close)}" for close in entity.closest]),
            "same_as": None, "distinct_from": []})
    out += ["", "claims:" if draft.claims else "claims: []"]
    for claim in draft.claims:
        for note in claim.notes:
            out += _comment(f"{claim.id}: {note}.")
        if claim.content:
            out += _comment(f"{claim.id}: content is what was said, as the draft read it: keep the speaker's "
                            "words only.")
        mentions = []
        for mention in claim.mentions:
            fields = {"text": mention.text, "span": [mention.start, mention.end], "id": mention.ref or None}
            line = f"- {_flow(fields)}"
            if mention.candidates:
                line += "  # several entities have this name: " + ", ".join(
                    c.removeprefix(ID) for c in mention.candidates)
            mentions.append(line)
        out += _item({
            "id": claim.id, "accept": False, "sentence": claim.sentence, QUOTE: claim.quote,
            "span": list(claim.span), "subject": claim.subject, "relationship": claim.relationship,
            "object": claim.object, STATUS: claim.status, ASSERTED_BY: claim.asserted_by,
            "dates": _Block(_dates(claim.dates), "{}"), ROLE: None, REASON: None, "in_event": None,
            "issued_by": None, CONTENT: claim.content, SCOPE: None, "scope_count": None, "denies": None,
            INFERRED: False, "basis": None, "note": None, "mentions": _Block(mentions), "cues": claim.cues})
    out += ["", "figures:" if draft.figures else "figures: []"]
    for figure in draft.figures:
        out += _comment(f"{figure.id}: choose the measure and what the figure describes.")
        out += _item({
            "id": figure.id, "accept": False, "sentence": figure.sentence, QUOTE: figure.quote,
            "span": list(figure.span), "value": figure.value, "unit": figure.unit,
            "approximation": figure.approximation, "measure": None, "describes": None,
            ASSERTED_BY: figure.asserted_by, STATUS: figure.status,
            "dates": _Block(_dates(figure.dates), "{}"), "note": None, "cues": figure.cues})
    return "\n".join(out) + "\n"
