"""A story's page: the map of the entities it names, walked through step by step with captions.

Each step draws what it shows (its highlights stronger), fades the rest of the story's map, quotes its
source (a link opens the source's page with the passage highlighted), and lists the relationships it
highlights with their evidence one click away. The entities keep their places from step to step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph
    from ..story import Story

ID = "https://w3id.org/actorgraph/id/"


def build_story(kg: KnowledgeGraph, story: Story) -> str:
    """The page of ``story`` as HTML text."""
    from ..errors import UsageError
    from ..story import resolve_step, step_entities
    from .html import environment, page_data, script_json
    from .source import page_name

    graph = kg.network()
    wanted: list[str] = []
    for step in story.steps:
        for name in step_entities(step):
            if name not in wanted:
                wanted.append(name)
    missing = [name for name in wanted if ID + name not in graph]
    if missing:
        line = next(s.line for s in story.steps if missing[0] in step_entities(s))
        raise UsageError(f"{story.path.name}:{line}: {missing[0]!r} is no entity with a relationship in the graph "
                         f"(actorgraph validate checks stories)")
    sub = graph.subgraph([ID + name for name in wanted]).copy()
    data = page_data(sub, story.title, kg.vocabulary)
    nodes = {node["key"]: node["id"] for node in data["nodes"]}
    edges = {(data["nodes"][e["from"]]["key"], e["key"], data["nodes"][e["to"]]["key"]): e["id"] for e in data["edges"]}
    documents = {doc["document"].removeprefix(ID): doc for doc in kg.named("documents")}
    steps = []
    for step in story.steps:
        found = resolve_step(step, story, nodes, edges)
        source = documents.get(step.source or "")
        steps.append({
            "caption": step.caption,
            "quote": step.quote,
            "sourceLabel": source["label"] if source else step.source,
            "sourcePage": page_name(source["document"]) if source else None,
            "asOf": step.as_of,
            "show": found["show"],
            "highlight": found["highlight"],
        })
    data["story"] = {"name": story.name, "title": story.title, "summary": story.summary, "steps": steps}
    template = environment().get_template("story.html")
    return template.render(title=story.title, summary=story.summary, count=len(steps), data=script_json(data))


def page_name(story: Story) -> str:
    """The file name of a story's page: ``story-<its name>.html``."""
    from .html import file_slug

    return f"story-{file_slug(story.name)}.html"


def build_story_pages(kg: KnowledgeGraph) -> dict[str, str]:
    """Every story's page under graph/stories/, by file name."""
    from ..story import load_story, story_files

    return {page_name(story): build_story(kg, story)
            for story in (load_story(path) for path in story_files(kg.graph_dir))}
