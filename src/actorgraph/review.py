"""The review sheet (docs/review-sheet.md) of a draft, as YAML text with comments for the reviewer.

YAML keeps the comments and diffs well; every scalar is written so that YAML reads back the same text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .draft import FORMAT, DateGuess, Draft
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


def _dates_lines(dates: dict[str, DateGuess], indent: str) -> list[str]:
    if not dates:
        return [f"{indent}dates: {{}}"]
    lines = [f"{indent}dates:"]
    for role in ("point_in_time", "start_time", "end_time"):
        guess = dates.get(role)
        if guess is None:
            continue
        fields: dict[str, Any] = {"value": guess.value, "inferred": guess.inferred}
        if guess.inferred:
            fields["basis"] = guess.basis
        lines.append(f"{indent}  {role}: {_flow(fields)}  # read from “{guess.text}”")
    return lines


def render_sheet(draft: Draft, title: str | None = None) -> str:
    """The review sheet for ``draft`` as YAML text: every proposal unaccepted, with notes as comments."""
    out = [
        f"# Review sheet drafted by `actorgraph draft` for {_scalar(title or draft.source_id)}"
        f" ({draft.text_file or 'no stored file'}).",
        "# Nothing in it is in the graph. Set accept: true on what the text says, fix what the draft got",
        "# wrong, leave the rest; then `actorgraph add` this file. Quotes must stay exact spans of the text.",
        f"# Proposed from {len(draft.sentences)} sentences: {len(draft.entities)} new entities, "
        f"{len(draft.claims)} claims, {len(draft.figures)} figures.",
        f"format: {FORMAT}",
        "source:",
        f"  id: {_scalar(draft.source_id)}",
        f"  text_file: {_scalar(draft.text_file or None)}",
        f"  sha256: {draft.sha256}",
        f"  published: {_scalar(draft.published.text if draft.published else None)}",
        "",
    ]
    out.append("entities:" if draft.entities else "entities: []")
    for entity in draft.entities:
        out += _comment(f"{entity.label}: proposed as {entity.type} ({entity.type_reason}). Is it one of the "
                        f"closest names below? Then set same_as to its id instead of creating it.")
        out += [
            f"  - key: {_scalar(entity.key)}",
            "    accept: false",
            f"    label: {_scalar(entity.label)}",
            f"    type: {_scalar(entity.type)}",
            "    aliases: []",
            "    comment: null",
            f"    mentions: [{', '.join(f'[{s}, {e}]' for s, e in entity.mentions)}]",
        ]
        if entity.closest:
            out.append("    closest:")
            out += [f"      - {_flow(close)}" for close in entity.closest]
        else:
            out.append("    closest: []")
        out += ["    same_as: null", "    distinct_from: []"]
    out.append("")
    out.append("claims:" if draft.claims else "claims: []")
    for claim in draft.claims:
        for note in claim.notes:
            out += _comment(f"{claim.id}: {note}.")
        out += [
            f"  - id: {claim.id}",
            "    accept: false",
            f"    sentence: {claim.sentence}",
            f"    quote: {_scalar(claim.quote)}",
            f"    span: [{claim.span[0]}, {claim.span[1]}]",
            f"    subject: {_scalar(claim.subject)}",
            f"    relationship: {_scalar(claim.relationship)}",
            f"    object: {_scalar(claim.object)}",
            f"    status: {_scalar(claim.status)}",
            f"    asserted_by: {_scalar(claim.asserted_by)}",
            *_dates_lines(claim.dates, "    "),
            "    role: null",
            "    reason: null",
            "    in_event: null",
            "    note: null",
        ]
        if claim.mentions:
            out.append("    mentions:")
            for mention in claim.mentions:
                fields = {"text": mention.text, "span": [mention.start, mention.end], "id": mention.ref or None}
                line = f"      - {_flow(fields)}"
                if mention.candidates:
                    line += "  # several entities have this name: " + ", ".join(
                        c.removeprefix(ID) for c in mention.candidates)
                out.append(line)
        else:
            out.append("    mentions: []")
        out.append(f"    cues: [{', '.join(_scalar(c) for c in claim.cues)}]")
    out.append("")
    out.append("figures:" if draft.figures else "figures: []")
    for figure in draft.figures:
        out += _comment(f"{figure.id}: choose the measure and what the figure describes.")
        out += [
            f"  - id: {figure.id}",
            "    accept: false",
            f"    sentence: {figure.sentence}",
            f"    quote: {_scalar(figure.quote)}",
            f"    span: [{figure.span[0]}, {figure.span[1]}]",
            f"    value: {figure.value}",
            f"    unit: {_scalar(figure.unit)}",
            f"    approximation: {_scalar(figure.approximation)}",
            "    measure: null",
            "    describes: null",
            f"    asserted_by: {_scalar(figure.asserted_by)}",
            f"    status: {_scalar(figure.status)}",
            *_dates_lines(figure.dates, "    "),
            "    note: null",
            f"    cues: [{', '.join(_scalar(c) for c in figure.cues)}]",
        ]
    return "\n".join(out) + "\n"
