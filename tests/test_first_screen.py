"""`flash review` imports only what its first screen needs (time to the first card)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

# modules `flash review` has no use for before a grade, a burial or a re-import
NOT_ON_THE_FIRST_SCREEN = ("sqlite_utils", "dateutil", "yaml", "_hashlib", "flashcards.decks", "flashcards.stats",
                           "flashcards.render_stats", "flashcards.store.stats")

PROBE = f"""
import sys
from flashcards.cli import cli
try:
    cli(["review"], prog_name="flash")
except SystemExit:
    pass
print(",".join(m for m in {NOT_ON_THE_FIRST_SCREEN!r} if m in sys.modules), file=sys.stderr)
"""


def test_review_to_the_first_card_imports_no_more_than_it_shows(invoke, db_path, sample_deck, tmp_path):
    assert invoke("import", sample_deck, "--db", db_path, "--today", "2026-03-02").exit_code == 0
    env = {"FLASH_DB": str(db_path), "FLASH_TODAY": "2026-03-02", "PYTHONPATH": str(REPO),
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": ""}
    # end of input right away: the first card is shown, then the session ends with its summary
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, input="", capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert "0 done · 6 left" in proc.stdout, proc.stderr  # one new card per entry on day 1
    assert proc.stderr.strip() == ""
