"""write_atomically: output files appear whole or not at all."""

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, flash_process
from flashcards._files import write_atomically
from flashcards.errors import QuizError
from unprivileged import run_unprivileged, shared_folder, unprivileged_prefix


def test_writes_text_and_bytes_creating_folders(tmp_path):
    text_path = write_atomically(tmp_path / "a" / "b" / "note.txt", "héllo\n")
    assert text_path.read_text(encoding="utf-8") == "héllo\n"
    data_path = write_atomically(tmp_path / "blob.bin", b"\x00\x01")
    assert data_path.read_bytes() == b"\x00\x01"
    assert list(tmp_path.glob(".*.tmp")) == []


def test_replaces_an_existing_file_with_the_usual_permissions(tmp_path):
    path = tmp_path / "out.yaml"
    path.write_text("old", encoding="utf-8")
    write_atomically(path, "new")
    assert path.read_text(encoding="utf-8") == "new"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


WRITE_SCRIPT = """
import sys
from flashcards._files import write_atomically
from flashcards.errors import QuizError
try:
    write_atomically(sys.argv[1], "new" * int(sys.argv[2]), error=QuizError)
except QuizError as exc:
    print(exc)
    sys.exit(3)
"""


def test_failure_names_the_file_keeps_the_old_one_and_leaves_no_temp():
    # a read-only folder stops root only in name, so the write runs as an unprivileged user
    prefix = unprivileged_prefix()
    if prefix is None:
        pytest.skip("no unprivileged user to run as")
    with shared_folder() as top:
        folder = top / "ro"
        folder.mkdir()
        path = folder / "paper.yaml"
        path.write_text("old", encoding="utf-8")
        folder.chmod(0o555)
        result = run_unprivileged(prefix, ["-c", WRITE_SCRIPT, str(path), "1"], cwd=top)
        assert result.returncode == 3, result.stderr
        assert result.stdout == f"cannot write {path}: Permission denied\n"
        assert path.read_text(encoding="utf-8") == "old"
        assert [p.name for p in folder.iterdir()] == ["paper.yaml"]


def test_a_write_that_fails_halfway_leaves_no_temp_file(tmp_path):
    # the temp file exists and has bytes in it when the disk says no (here a file-size
    # limit, EFBIG): it must be removed, and the old file kept
    path = tmp_path / "paper.yaml"
    path.write_text("old", encoding="utf-8")

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", WRITE_SCRIPT, str(path), "100000"], cwd=tmp_path, env=env,
                            preexec_fn=limit_file_size, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert result.stdout == f"cannot write {path}: File too large\n"
    assert path.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.glob(".*.tmp")) == []
    assert [p.name for p in tmp_path.iterdir()] == ["paper.yaml"]


def test_a_killed_write_leaves_a_temp_file_that_the_next_write_sweeps(tmp_path):
    path = tmp_path / "deck.apkg"
    script = (
        "import sys, time\n"
        "from flashcards._files import replacing\n"
        "with replacing(sys.argv[1]) as tmp:\n"
        "    tmp.write_bytes(b'half a package')\n"
        "    print(tmp, flush=True)\n"
        "    time.sleep(120)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], env=env, stdout=subprocess.PIPE, text=True)
    temp = Path(proc.stdout.readline().strip())
    assert temp.name.startswith(f".deck.apkg.{proc.pid}.") and temp.name.endswith(".tmp")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert temp.exists()  # what kill -9 leaves behind
    busy = tmp_path / f".deck.apkg.{os.getpid()}.abcdefgh.tmp"  # a live writer's: kept
    busy.write_bytes(b"being written")
    write_atomically(path, b"whole")
    assert path.read_bytes() == b"whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["deck.apkg", busy.name])


def test_a_folder_in_the_way_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(QuizError, match="cannot write"):
        write_atomically(tmp_path / "taken", "x", error=QuizError)
    assert (tmp_path / "taken").is_dir()


# -- -o writes only regular files ----------------------------------------------------------


def test_a_fifo_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(QuizError, match=r"^cannot write .*pipe.yaml: it is a named pipe \(FIFO\), not a regular file"):
        write_atomically(fifo, "x", error=QuizError)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.yaml"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_refused_and_left_alone(tmp_path):
    # our own null device in tmp_path: if the check were broken, only this node would be lost
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    link = tmp_path / "out.apkg"
    link.symlink_to(device)
    for target in (device, link):
        with pytest.raises(QuizError, match=r"it is a device, not a regular file"):
            write_atomically(target, "x", error=QuizError)
    assert stat.S_ISCHR(device.lstat().st_mode) and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "out.apkg"]


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "paper.yaml"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "paper.yaml"
    link.symlink_to(real)
    write_atomically(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    assert list(real.parent.glob(".*.tmp")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_a_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "paper.yaml"
    link.symlink_to(tmp_path / "elsewhere" / "paper.yaml")
    with pytest.raises(QuizError, match=r"it is a symbolic link to .*elsewhere/paper.yaml, which does not exist"):
        write_atomically(link, "new", error=QuizError)
    assert not (tmp_path / "elsewhere").exists()


def test_a_name_too_long_is_one_line(tmp_path):
    with pytest.raises(QuizError, match=r"^cannot write .*: File name too long$"):
        write_atomically(tmp_path / ("x" * 300 + ".yaml"), "x", error=QuizError)


def test_an_export_leaves_nothing_in_tmpdir_or_beside_the_package(tmp_path, sample_deck):
    # genanki builds its collection with tempfile.mkstemp() and never deletes it (139 kB
    # per export): it must land in our scratch folder, which is removed
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "out"
    for _ in range(2):  # the second export also reads the first package back
        result = flash_process("export", "anki", sample_deck, "-o", out / "sample.apkg", cwd=tmp_path,
                               env={"TMPDIR": str(tmpdir), "SOURCE_DATE_EPOCH": "1700000000"})
        assert result.returncode == 0, result.stderr
    assert list(tmpdir.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["sample.apkg"]
