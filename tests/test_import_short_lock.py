"""flash import as a short writer: the diff is worked out before the write lock and applied
under it; what another connection commits in between (a grade, another import) is never
overwritten by a stale diff. Real SQLite files, two real connections; the seam is
``Store.sync(before_apply=...)``, called between the diff and taking the lock."""

from __future__ import annotations

from datetime import date, datetime, timezone

from flashcards.decks import load_deck
from flashcards.store import Store

from conftest import SAMPLE_DECK, rows

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

# the sample deck edited: alpha's definition changed, beta gone, a new term gamma
EDITED = SAMPLE_DECK.replace("The first letter.", "The first letter of the Greek alphabet.").replace(
    """  - id: beta
    term: Beta
    definition: The second letter.
    what_makes_it_distinct: It comes second.
""", """  - id: gamma
    term: Gamma
    definition: The third letter.
""")
# what another import brings in meanwhile: the sample deck with a term delta added, door removed
OTHER = SAMPLE_DECK.replace("phrases:", """  - id: delta
    term: Delta
    definition: The fourth letter.
phrases:""").replace("""  - id: door
    concept: Authentication
    analog: A locked door
    holds: Only key holders get in.
    breaks: A door does not log who came in.
""", "")

CARD_COLUMNS = "SELECT id, front, back, retired, position, content_hash, needs FROM cards ORDER BY id"


def imported(db_path, sample_deck):
    with Store.open(db_path) as store:
        store.sync([load_deck(sample_deck)], today=DAY)


def test_a_grade_committed_between_diff_and_apply_is_kept(db_path, sample_deck, write_deck):
    imported(db_path, sample_deck)
    edited = load_deck(write_deck(EDITED, "edited.yaml"))
    graded = []

    def grade_in_another_session():
        # a short busy timeout: were the import holding the write lock now, this would fail
        with Store.open(db_path, busy_timeout=0.5) as other:
            graded.append(other.record("sample/alpha/term", 4, today=DAY, now=NOW))
            other.record("sample/say-hello/phrase", 5, today=DAY, now=NOW)

    with Store.open(db_path) as store:
        (report,) = store.sync([edited], today=DAY, before_apply=grade_in_another_session)
        assert not store.sync_rediffed  # grades change no card the diff read
        assert store.sync_lock_seconds is not None and store.sync_lock_seconds >= 0

    assert report.updated == ["sample/alpha/term", "sample/alpha/definition"]
    assert sorted(report.added) == ["sample/gamma/definition", "sample/gamma/term"]
    assert sorted(report.retired) == ["sample/beta/definition", "sample/beta/term",
                                      "sample/beta/what_makes_it_distinct"]
    # the grades are kept: logged, and the states they moved are not reset by the update
    assert rows(db_path, "SELECT card_id, grade FROM reviews ORDER BY id") == [
        ("sample/alpha/term", 4), ("sample/say-hello/phrase", 5)]
    after = graded[0].after
    assert rows(db_path, "SELECT repetitions, interval, due FROM card_state WHERE card_id = ?",
                "sample/alpha/term") == [(after.repetitions, after.interval, after.due.isoformat())]
    assert rows(db_path, "SELECT back FROM cards WHERE id = 'sample/alpha/term'") == [
        ("The first letter of the Greek alphabet.",)]
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_another_import_between_diff_and_apply_is_seen_and_the_diff_redone(
        db_path, sample_deck, write_deck, tmp_path):
    imported(db_path, sample_deck)
    edited = load_deck(write_deck(EDITED, "edited.yaml"))
    other = load_deck(write_deck(OTHER, "other.yaml"))

    def import_in_another_process():
        with Store.open(db_path, busy_timeout=0.5) as second:
            second.sync([other], today=DAY)

    with Store.open(db_path) as store:
        (report,) = store.sync([edited], today=DAY, before_apply=import_in_another_process)
        assert store.sync_rediffed

    # the same as the two imports one after the other: the other's delta retired again, door restored
    expected_db = tmp_path / "expected.db"
    imported(expected_db, sample_deck)
    with Store.open(expected_db) as store:
        store.sync([other], today=DAY)
        (expected,) = store.sync([edited], today=DAY)
    assert rows(db_path, CARD_COLUMNS) == rows(expected_db, CARD_COLUMNS)
    assert (sorted(report.added), sorted(report.updated), sorted(report.retired), sorted(report.restored)) == (
        sorted(expected.added), sorted(expected.updated), sorted(expected.retired), sorted(expected.restored))
    assert "sample/delta/term" in report.retired and "sample/door/holds" in report.restored
    # every card has its state row once, and the file is sound
    assert rows(db_path, "SELECT count(*) FROM cards") == rows(db_path, "SELECT count(*) FROM card_state")
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_an_unchanged_database_is_applied_without_a_second_diff(db_path, sample_deck, write_deck):
    imported(db_path, sample_deck)
    with Store.open(db_path) as store:
        (report,) = store.sync([load_deck(write_deck(EDITED, "edited.yaml"))], today=DAY)
        assert not store.sync_rediffed
    assert len(report.added) == 2 and len(report.retired) == 3
