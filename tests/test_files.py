"""write_atomically: output files appear whole or not at all."""

import os
import stat

import pytest

from flashcards._files import write_atomically
from flashcards.errors import QuizError


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


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_failure_names_the_file_keeps_the_old_one_and_leaves_no_temp(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "paper.yaml"
    path.write_text("old", encoding="utf-8")
    folder.chmod(0o500)
    try:
        with pytest.raises(QuizError, match=f"cannot write {path}"):
            write_atomically(path, "new", error=QuizError)
    finally:
        folder.chmod(0o700)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in folder.iterdir()] == ["paper.yaml"]


def test_a_folder_in_the_way_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(QuizError, match="cannot write"):
        write_atomically(tmp_path / "taken", "x", error=QuizError)
    assert (tmp_path / "taken").is_dir()
