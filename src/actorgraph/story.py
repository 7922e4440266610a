"""Stories: a walk through the graph, step by step, written as data in ``graph/stories/NAME.toml``.

A story has a ``title``, an optional ``summary`` and ``source`` (the document its quotes come from,
by its id, e.g. ``doc-el-salvador-offers-to-jail-us-deportees``), and an ordered list of ``[[step]]``
tables. Each step has:

- ``caption``: what the reader should see, in the story's own words (required);
- ``show``: entities and relationships to draw in this step;
- ``highlight``: entities and relationships to emphasise (they are shown too);
- ``quote``: a passage of the source, verbatim, that the step rests on; ``source`` if it is not the
  story's;
- ``as_of``: a date (YYYY, YYYY-MM or YYYY-MM-DD): only what may hold then is drawn.

An entity is named by its id (``osiris-luna-meza``); a relationship by its subject's id, the
relationship's name and its object's id (``osiris-luna-meza sanctionedUnder engel-list``).

``load_story`` reads a file and checks its shape (a malformed file is a ``ParseError`` with its line);
``check_stories`` checks that everything a step names exists and that every quote is verbatim in its
source (``actorgraph validate`` runs it); ``export/story.py`` draws the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BadDateError, DataFileError, ParseError, UsageError

if TYPE_CHECKING:
    import rdflib

    from .validate import Violation

STORIES_DIR = "stories"
ID = "https://w3id.org/actorgraph/id/"
ONT = "https://w3id.org/actorgraph/ont#"
# A story file's own keys (graph/stories/NAME.toml): a step's quote and source are the story's words,
# checked against the source's text, not a statement's evidence fields.
_STORY_KEYS = {"title", "summary", "source", "step"}
_STEP_KEYS = {"caption", "show", "highlight", "quote", "source", "as_of"}


@dataclass(frozen=True)
class Reference:
    """An entity (``subject`` only) or a relationship (``subject predicate object``), as written."""

    text: str
    subject: str
    predicate: str | None = None
    object: str | None = None

    @property
    def is_relationship(self) -> bool:
        return self.predicate is not None


@dataclass(frozen=True)
class Step:
    caption: str
    show: tuple[Reference, ...]
    highlight: tuple[Reference, ...]
    quote: str | None
    source: str | None
    as_of: str | None
    line: int  # the line of its [[step]] header


@dataclass(frozen=True)
class Story:
    name: str
    path: Path
    title: str
    summary: str
    steps: tuple[Step, ...]
    text: str  # the file's text, to find a name's line

    def line_of(self, step: Step, needle: str) -> int:
        """The line, at or after the step's header, where ``needle`` is written (else the header's)."""
        lines = self.text.splitlines()
        for number in range(step.line, len(lines) + 1):
            if needle in lines[number - 1]:
                return number
        return step.line


def stories_dir(graph_dir: Path) -> Path:
    return graph_dir / STORIES_DIR


def story_files(graph_dir: Path) -> list[Path]:
    """The story files under ``graph/stories/``, in name order."""
    directory = stories_dir(graph_dir)
    return sorted(directory.glob("*.toml")) if directory.is_dir() else []


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _reference(text: Any, where: str, line: int) -> Reference:
    if not isinstance(text, str) or not text.strip():
        raise ParseError(where, line, f"a name must be a non-empty string, not {text!r}")
    parts = text.split()
    if len(parts) == 1:
        return Reference(text, parts[0])
    if len(parts) == 3:
        return Reference(text, parts[0], parts[1], parts[2])
    raise ParseError(where, line, f"{text!r}: name an entity by its id, or a relationship as "
                                  f"'subject-id relationship object-id'")


def load_story(path: Path) -> Story:
    """Read and check the shape of one story file."""
    import tomllib

    where = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(f"{where}: cannot be read ({err})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        raise ParseError(where, line, re.sub(r"\s*\(at line \d+, column \d+\)", "", message)) from None
    headers = [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "[[step]]"]
    unknown = sorted(set(data) - _STORY_KEYS)
    if unknown:
        raise ParseError(where, None, f"unknown key {unknown[0]!r}; a story has: {', '.join(sorted(_STORY_KEYS))}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ParseError(where, 1, "a story needs a title (title = \"...\")")
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ParseError(where, None, "a story needs at least one [[step]]")
    steps = []
    for number, raw in enumerate(raw_steps):
        line = headers[number] if number < len(headers) else 1
        unknown = sorted(set(raw) - _STEP_KEYS)
        if unknown:
            raise ParseError(where, line, f"step {number + 1}: unknown key {unknown[0]!r}; a step has: "
                                          f"{', '.join(sorted(_STEP_KEYS))}")
        caption = raw.get("caption")
        if not isinstance(caption, str) or not caption.strip():
            raise ParseError(where, line, f"step {number + 1} needs a caption")
        lists = {}
        for key in ("show", "highlight"):
            value = raw.get(key, [])
            if not isinstance(value, list):
                raise ParseError(where, line, f"step {number + 1}: {key} must be a list of names")
            lists[key] = tuple(_reference(item, where, line) for item in value)
        if not lists["show"] and not lists["highlight"]:
            raise ParseError(where, line, f"step {number + 1} shows nothing: give it show or highlight")
        as_of = raw.get("as_of")
        if as_of is not None:
            from .dates import parse_date

            try:
                parse_date(str(as_of))
            except BadDateError as err:
                raise ParseError(where, line, f"step {number + 1}: {err}") from None
        for key in ("quote", "source"):
            if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
                raise ParseError(where, line, f"step {number + 1}: {key} must be a non-empty string")
        steps.append(Step(caption.strip(), lists["show"], lists["highlight"], raw.get("quote"),
                          raw.get("source", data.get("source")), str(as_of) if as_of is not None else None, line))
    summary = data.get("summary", "")
    if not isinstance(summary, str):
        raise ParseError(where, None, "summary must be a string")
    return Story(path.stem, path, title.strip(), summary.strip(), tuple(steps), text)


def find_story(graph_dir: Path, name: str) -> Story:
    """The story ``name`` (a file name under graph/stories/, with or without .toml, or a path)."""
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.is_file():
        return load_story(candidate)
    known = story_files(graph_dir)
    for path in known:
        if path.stem == name.removesuffix(".toml"):
            return load_story(path)
    names = ", ".join(p.stem for p in known) or f"none in {stories_dir(graph_dir)}"
    raise UsageError(f"unknown story {name!r}; stories: {names}")


def step_entities(step: Step) -> list[str]:
    """The ids of every entity a step draws: those it names and the ends of its relationships."""
    found: list[str] = []
    for ref in (*step.show, *step.highlight):
        for name in (ref.subject, ref.object):
            if name and name not in found:
                found.append(name)
    return found


# ----------------------------------------------------------------------------------------------
# Checks against the graph (actorgraph validate)
# ----------------------------------------------------------------------------------------------


def check_stories(graph_dir: Path, graph: rdflib.Graph, relationship_types: set[str]) -> list[Violation]:
    """Every story's problems: a malformed file, a name that is not in the graph, a relationship that
    no triple states, a quote that is not verbatim in its source. ``relationship_types`` are the
    IRIs of the ontology's relationship types (validate knows how to find them)."""
    from rdflib import RDF, URIRef

    from .validate import Violation

    violations: list[Violation] = []
    texts: dict[str, str | None] = {}

    def source_text(doc: str) -> str | None:
        if doc not in texts:
            text_file = graph.value(URIRef(ID + doc), URIRef(ONT + "textFile"))
            texts[doc] = None
            if text_file is not None:
                target = (graph_dir / str(text_file)).resolve()
                if target.is_relative_to(graph_dir.resolve()) and target.is_file():
                    texts[doc] = target.read_text(encoding="utf-8", errors="replace")
        return texts[doc]

    for path in story_files(graph_dir):
        where = _display(path)
        try:
            story = load_story(path)
        except (ParseError, DataFileError) as err:
            line = getattr(err, "line", None)
            message = str(err).split(": ", 1)[-1] if isinstance(err, ParseError) else str(err)
            violations.append(Violation(where, "-", message, None, f"{where}:{line}" if line else where, "story"))
            continue
        for number, step in enumerate(story.steps, 1):
            focus = f"{where} step {number}"
            for key, refs in (("show", step.show), ("highlight", step.highlight)):
                for ref in refs:
                    location = f"{where}:{story.line_of(step, ref.text)}"
                    for name in (ref.subject, ref.object):
                        if name is not None and (URIRef(ID + name), RDF.type, None) not in graph:
                            violations.append(Violation(focus, key, "names no entity of the graph", f"{name!r}",
                                                        location, "story"))
                    if ref.is_relationship:
                        predicate = ONT + str(ref.predicate)
                        if predicate not in relationship_types:
                            violations.append(Violation(focus, key, "is not a relationship type of the ontology",
                                                        f"{ref.predicate!r}", location, "story"))
                        elif (URIRef(ID + ref.subject), URIRef(predicate), URIRef(ID + str(ref.object))) not in graph:
                            violations.append(Violation(focus, key, "no such relationship in the graph",
                                                        f"{ref.text!r}", location, "story"))
            if step.quote is not None:
                location = f"{where}:{story.line_of(step, 'quote')}"
                if not step.source:
                    violations.append(Violation(focus, "quote", "a quote needs its source (source = \"doc-...\")",
                                                None, location, "story"))
                elif (URIRef(ID + step.source), RDF.type, URIRef(ONT + "SourceDocument")) not in graph:
                    violations.append(Violation(focus, "source", "names no source document of the graph",
                                                f"{step.source!r}", location, "story"))
                else:
                    text = source_text(step.source)
                    if text is not None and step.quote not in text:
                        short = step.quote if len(step.quote) <= 80 else step.quote[:79] + "…"
                        violations.append(Violation(focus, "quote", f"quote not found verbatim in {step.source}",
                                                    f'"{short}"', location, "story"))
    return violations


def resolve_step(step: Step, story: Story, nodes: dict[str, Any], edges: dict[tuple[str, str, str], Any]) -> dict:
    """The nodes and edges a step names, looked up in a projection's ``nodes`` (by id) and ``edges`` (by
    subject id, relationship name, object id); a name that is not there is a UsageError with its line."""
    found: dict[str, dict[str, list[Any]]] = {"show": {"nodes": [], "edges": []},
                                              "highlight": {"nodes": [], "edges": []}}
    where = _display(story.path)
    for key, refs in (("show", step.show), ("highlight", step.highlight)):
        for ref in refs:
            line = story.line_of(step, ref.text)
            if ref.is_relationship:
                edge = edges.get((ref.subject, str(ref.predicate), str(ref.object)))
                if edge is None:
                    raise UsageError(f"{where}:{line}: no such relationship in the graph: {ref.text!r} "
                                     f"(actorgraph validate checks stories)")
                found[key]["edges"].append(edge)
            else:
                node = nodes.get(ref.subject)
                if node is None:
                    raise UsageError(f"{where}:{line}: {ref.subject!r} is no entity with a relationship in the "
                                     f"graph (actorgraph validate checks stories)")
                found[key]["nodes"].append(node)
    return found
