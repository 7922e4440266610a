"""Writing the graph's Turtle the way its files are written by people: one subject per paragraph,
prefixed names, readable literals. Used by ``add-source`` and ``add``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .dates import PartialDate
from .errors import DataFileError
from .store import PREFIXES

_PREFIX_RE = re.compile(
    r"^\s*(?:@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>\s*\.|PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>)",
    re.IGNORECASE | re.MULTILINE)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
PRECISION_UNITS = {"day": "time:unitDay", "month": "time:unitMonth", "year": "time:unitYear"}
_DATATYPES = {"day": "xsd:date", "month": "xsd:gYearMonth", "year": "xsd:gYear"}


def literal(text: str, language: str | None = None) -> str:
    """A Turtle string literal, escaped: quotes, backslashes and control characters."""
    escaped = "".join(_ESCAPES.get(c, f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
                      for c in text)
    return f'"{escaped}"' + (f"@{language}" if language else "")


def number(value: int | Decimal) -> str:
    """An xsd:integer or xsd:decimal in Turtle's short form."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text if "." in text else text + ".0"


def date_node(date: PartialDate, inferred: bool, basis: str | None) -> str:
    """A blank ag:DateValue node: the value typed by its precision, and whether it was worked out."""
    parts = [f"a ag:DateValue ; ag:dateValue {literal(date.text)}^^{_DATATYPES[date.precision]} ; "
             f"ag:precision {PRECISION_UNITS[date.precision]} ; ag:inferred {'true' if inferred else 'false'}"]
    if inferred and basis:
        parts.append(f"ag:inferenceBasis {literal(basis)}")
    return "[ " + " ;\n        ".join(parts) + " ]"


def declared_prefixes(text: str) -> dict[str, str]:
    """The prefixes a Turtle text declares, ``{"ag": "https://w3id.org/actorgraph/ont#", ...}``."""
    found = {}
    for match in _PREFIX_RE.finditer(text):
        name = match.group(1) if match.group(2) is not None else match.group(3)
        found[name or ""] = match.group(2) if match.group(2) is not None else match.group(4)
    return found


def prefix_lines(names: list[str], already: dict[str, str] | None = None) -> str:
    """The @prefix lines for ``names`` that ``already`` lacks; an error if one is bound elsewhere."""
    lines = []
    for name in names:
        iri = PREFIXES[name]
        bound = (already or {}).get(name)
        if bound == iri:
            continue
        if bound is not None:
            raise DataFileError(f"the prefix {name}: is bound to <{bound}>, not <{iri}>")
        lines.append(f"@prefix {name + ':':<8}<{iri}> .")
    return "\n".join(lines) + ("\n" if lines else "")


def used_prefixes(text: str) -> list[str]:
    """The known prefixes a piece of Turtle uses, in the order of ``PREFIXES``."""
    return [name for name in PREFIXES if re.search(rf"(?<![\w:/#-]){name}:", text)]
