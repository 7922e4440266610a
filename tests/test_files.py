"""Every write goes through ``actorgraph.files``: atomic, and never through a link or onto a special file.
First the function itself, then the commands that write (``export FORMAT -o``, ``export all``)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from actorgraph.errors import DataFileError
from actorgraph.export import SHIPPED
from actorgraph.files import check_target, write_file, write_files
from conftest import GRAPH, ONTOLOGY, WORLD
from servers import actorgraph_cmd


def listing(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def make_device(path) -> None:
    """A character device like /dev/full (major 1, minor 7), made here so no real device is at risk."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))


# -- the function ---------------------------------------------------------------------------------------


def test_writes_a_new_file_with_the_usual_mode(tmp_path):
    target = tmp_path / "out.ttl"
    mask = os.umask(0o027)
    try:
        write_file(target, "text é")
    finally:
        os.umask(mask)
    assert target.read_bytes() == "text é".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["out.ttl"]


def test_replacing_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("old")
    target.chmod(0o600)
    write_file(target, b"new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_symlink_is_refused_and_left_alone(tmp_path):
    real = tmp_path / "real.ttl"
    real.write_text("precious")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    with pytest.raises(DataFileError) as caught:
        write_file(link, "new")
    assert str(caught.value) == (f"{link}: is a symbolic link; actorgraph only replaces regular files "
                                 f"(write to the file it points to, or remove the link)")
    assert link.is_symlink() and real.read_text() == "precious"
    assert listing(tmp_path) == ["link.ttl", "real.ttl"]


def test_a_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "link.ttl"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(DataFileError, match="is a symbolic link"):
        write_file(link, "new")
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match=r"pipe: is a FIFO; actorgraph only replaces regular files \(name a new"):
        write_file(fifo, "new")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_device_is_refused_and_stays_a_device(tmp_path):
    device = tmp_path / "full"
    make_device(device)
    with pytest.raises(DataFileError, match="full: is a character device"):
        write_file(device, "new")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_socket_and_a_directory_are_refused(tmp_path):
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(DataFileError, match="sock: is a socket"):
            check_target(path)
    with pytest.raises(DataFileError, match=f"^{tmp_path}: is a directory; "):
        write_file(tmp_path, "new")


def test_a_missing_directory_is_named(tmp_path):
    with pytest.raises(DataFileError) as caught:
        write_file(tmp_path / "no" / "out.ttl", "x")
    assert str(caught.value) == f"{tmp_path / 'no'}: no such directory"


def test_several_files_none_written_when_one_is_refused(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a")
    second.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(DataFileError, match="b.csv: is a symbolic link"):
        write_files({first: "new a", second: "new b"})
    assert first.read_text() == "old a"
    assert listing(tmp_path) == ["a.csv", "b.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    """A real write error (the file-size limit, as a full disk would be): the old file stays whole."""
    target = tmp_path / "out.ttl"
    target.write_text("old")
    script = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
              "from actorgraph.errors import DataFileError\n"
              "from actorgraph.files import write_file\n"
              "try:\n"
              "    write_file(sys.argv[1], b'x' * 100_000)\n"
              "except DataFileError as err:\n"
              "    print(err)\n")
    done = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=60)
    assert done.stdout == f"{target}: cannot write: File too large\n", done.stderr
    assert target.read_text() == "old"
    assert listing(tmp_path) == ["out.ttl"]


# -- the commands that write ----------------------------------------------------------------------------


def cli_args(*args: str) -> list[str]:
    return [*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY), *args]


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cli_args(*args), capture_output=True, timeout=120, **kwargs)


def on_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """Run the CLI with its standard output on a pseudo-terminal: (exit code, what the terminal
    showed, stderr). The terminal is read while the command runs, so a big output cannot block it."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(cli_args(*args), stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    seen = b""
    try:
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # EIO: the command has closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    stderr = process.stderr.read()
    process.stderr.close()
    return process.wait(timeout=120), seen, stderr


@pytest.mark.parametrize("fmt", ["turtle", "html", "graphml"])
def test_export_to_a_symlink_is_refused(invoke, tmp_path, fmt):
    real = tmp_path / "real"
    real.write_text("precious")
    link = tmp_path / "link"
    link.symlink_to(real)
    result = invoke("export", fmt, "-o", str(link))
    assert result.exit_code == 1
    assert result.output == (f"actorgraph: error: {link}: is a symbolic link; actorgraph only replaces regular "
                             f"files (write to the file it points to, or remove the link)\n")
    assert link.is_symlink() and real.read_text() == "precious"


def test_export_to_a_fifo_a_device_or_a_directory_is_one_line(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    device = tmp_path / "full"
    make_device(device)
    for target, kind in [(fifo, "a FIFO"), (device, "a character device"), (tmp_path, "a directory")]:
        done = run_cli("export", "turtle", "-o", str(target), text=True)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith(f"actorgraph: error: {target}: is {kind}; ")
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and stat.S_ISCHR(os.lstat(device).st_mode)


def test_csv_writes_both_files_or_neither(invoke, tmp_path):
    (tmp_path / "edges.csv").symlink_to(tmp_path / "elsewhere.csv")
    result = invoke("export", "csv", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "edges.csv: is a symbolic link" in result.output
    assert listing(tmp_path) == ["edges.csv"]  # nodes.csv was not written either


def test_export_all_refuses_a_symlink_among_its_files(invoke, tmp_path):
    first, *_, last = [s.filename for s in SHIPPED]
    (tmp_path / first).write_text("old")
    (tmp_path / last).symlink_to(tmp_path / "elsewhere")
    result = invoke("export", "all", "-o", str(tmp_path), graph=GRAPH)
    assert result.exit_code == 1
    assert result.output.startswith(f"actorgraph: error: {tmp_path / last}: is a symbolic link")
    assert listing(tmp_path) == sorted([first, last]) and (tmp_path / first).read_text() == "old"


def test_dash_writes_to_standard_output(invoke, tmp_path):
    result = invoke("export", "ntriples", "-o", "-")
    assert result.exit_code == 0
    assert result.output == invoke("export", "ntriples").output
    assert "<https://w3id.org/actorgraph/" in result.output
    assert not (tmp_path / "-").exists()


def test_html_is_not_poured_onto_a_terminal(tmp_path):
    """With no -o, an HTML page goes to a pipe or file but is refused on a terminal; -o - insists."""
    code, seen, stderr = on_terminal("export", "html")
    assert (code, seen) == (2, b"")
    assert stderr == (b"actorgraph: error: export html writes an HTML page: give -o FILE "
                      b"(or -o - to print it anyway)\n")
    code, seen, stderr = on_terminal("export", "timeline")
    assert (code, seen) == (2, b"") and b"export timeline writes an HTML page" in stderr
    code, seen, stderr = on_terminal("export", "html", "-o", "-")
    assert code == 0 and b"<!DOCTYPE html>" in seen, stderr
    code, seen, stderr = on_terminal("export", "turtle")
    assert code == 0 and b"agid:" in seen, stderr
    piped = run_cli("export", "html")
    assert piped.returncode == 0 and piped.stdout.startswith(b"<!DOCTYPE html>")
