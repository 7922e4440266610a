"""Real servers for the server tests: ``actorgraph serve`` and ``oxigraph serve`` on free loopback ports,
each a subprocess that the fixture always stops (terminate, then kill), so no test leaves one running."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {read_all(process)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up within {seconds} s")


def read_all(process: subprocess.Popen) -> str:
    with contextlib.suppress(Exception):
        return process.communicate(timeout=5)[1] or ""
    return ""


@contextlib.contextmanager
def running(cmd: list[str], probe: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    try:
        wait_until_up(probe, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.captured_stderr = process.stderr.read() if process.stderr else ""
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def actorgraph_cmd() -> list[str]:
    exe = shutil.which("actorgraph")
    return [exe] if exe else [sys.executable, "-m", "actorgraph"]


@contextlib.contextmanager
def actorgraph_serve(graph: Path, ontology: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``actorgraph serve`` on a free port; yields its base URL (http://127.0.0.1:PORT/)."""
    port = free_port()
    cmd = [*actorgraph_cmd(), "--graph-dir", str(graph), "--ontology-dir", str(ontology), "serve",
           "--port", str(port), "--quiet", *args]
    base = f"http://127.0.0.1:{port}/"
    with running(cmd, base + "sparql") as process:
        yield base, process


@contextlib.contextmanager
def oxigraph_serve(location: Path, union: bool = True) -> Iterator[str]:
    """A real read-write ``oxigraph serve`` (union default graph unless ``union`` is false); yields its
    base URL."""
    port = free_port()
    exe = shutil.which("oxigraph")
    if exe is None:
        raise RuntimeError("the oxigraph server is missing: pip install oxigraph")
    cmd = [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        cmd.append("--union-default-graph")
    base = f"http://127.0.0.1:{port}/"
    with running(cmd, base + "query"):
        yield base
