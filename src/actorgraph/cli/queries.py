"""Commands that answer questions from the graph: actors, show, search, who-negotiated, sanctions,
timeline, figures, claims, between, query and sparql."""

from __future__ import annotations
