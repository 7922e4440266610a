"""Where the graph, the ontology, the exports and the cache live.

Each can be overridden: a CLI flag wins, then an environment variable, then the project layout
(the directory holding ``graph/`` found from the working directory upwards, else the source checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_GRAPH_DIR = "ACTORGRAPH_GRAPH_DIR"
ENV_ONTOLOGY_DIR = "ACTORGRAPH_ONTOLOGY_DIR"
ENV_EXPORTS_DIR = "ACTORGRAPH_EXPORTS_DIR"
ENV_CACHE_DIR = "ACTORGRAPH_CACHE_DIR"
ENV_ENDPOINT = "ACTORGRAPH_ENDPOINT"
ENV_STORE_CACHE = "ACTORGRAPH_STORE_CACHE"  # auto (by size), always, never

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The nearest directory (from the working directory up) that holds ``ontology/``, else the checkout."""
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ontology").is_dir() and (candidate / "graph").is_dir():
            return candidate
    return PACKAGE_DIR.parent.parent


def _pick(flag: str | Path | None, env: str, default: str) -> Path:
    if flag:
        return Path(flag)
    if os.environ.get(env):
        return Path(os.environ[env])
    return project_root() / default


def graph_dir(flag: str | Path | None = None) -> Path:
    return _pick(flag, ENV_GRAPH_DIR, "graph")


def ontology_dir(flag: str | Path | None = None) -> Path:
    return _pick(flag, ENV_ONTOLOGY_DIR, "ontology")


def exports_dir(flag: str | Path | None = None) -> Path:
    return _pick(flag, ENV_EXPORTS_DIR, "exports")


def cache_dir() -> Path:
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "actorgraph"


def write_cache_file(path: Path, text: str | bytes) -> None:
    """Write a cache file (text or bytes) atomically: readers see the old file or the new one. A cache
    that cannot be written (a read-only disk, say) only costs speed, so failures are ignored."""
    from .errors import ActorgraphError
    from .files import write_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text, sync=False)
    except (OSError, ActorgraphError):
        return


def queries_dir() -> Path:
    return PACKAGE_DIR / "queries"
