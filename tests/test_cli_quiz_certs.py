"""Certificates that expire: `quiz create --valid-days`, `quiz report --expiring`, `quiz recertify`.

Through the real CLI with real deck files, roster CSVs and SQLite databases in tmp_path; learners take
their papers with `flash quiz take` and the manager scores them with `flash quiz score`. The wall
clock of the answers files is a fixture that moves only when told; every call passes --today.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from test_cli_quiz import QUIZ_DECK, create, paper_of, stored, take, write_roster  # noqa: F401

from flashcards.quiz.certificates import expires_on, when
from flashcards.store import SCHEMA_VERSION, Store
from flashcards.store.quizzes import QuizStore
from flashcards.store.schema import MIGRATIONS

TODAY = "2026-12-01"


class Clock:
    """The wall clock of the manager's and learners' machines: ticks 20 s per reading from ``moment``."""

    def __init__(self):
        self.moment = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        self.moment += timedelta(seconds=20)
        return self.moment

    def set(self, day: str) -> None:
        self.moment = datetime.fromisoformat(f"{day}T09:00:00+00:00")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    tick = Clock()
    for module in ("flashcards.cli.quiz", "flashcards.cli.quiz_take", "flashcards.cli.quiz_certs"):
        monkeypatch.setattr(f"{module}.now", tick)
    return tick


@pytest.fixture
def flash(invoke):
    return invoke


@pytest.fixture
def deck_path(tmp_path):
    import textwrap

    path = tmp_path / "quizdeck.yaml"
    path.write_text(textwrap.dedent(QUIZ_DECK), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path):
    return tmp_path / "manager.db"


@pytest.fixture
def certified(flash, tmp_path, deck_path, db, clock):
    """A quiz whose certificates are valid 365 days: Ann passed on 2026-12-01, Bob on 2027-01-20,
    Cy failed, Di has not taken it."""
    roster = write_roster(tmp_path / "team.csv", "Ann Lee", "Bob Roe", "Cy Diaz", "Di Wu")
    assert flash("quiz", "roster", "import", roster, "--db", db, "--today", TODAY).exit_code == 0
    quiz_id, folder = create(flash, deck_path, db, "--valid-days", "365", "--attempts", "2")
    for who, day, right in (("ann-lee", "2026-12-01", lambda n: True), ("bob-roe", "2027-01-20", lambda n: True),
                            ("cy-diaz", "2026-12-02", lambda n: n < 2)):
        clock.set(day)
        answers = take(flash, db, paper_of(folder, quiz_id, who), right)
        scored = flash("quiz", "score", answers, "--db", db, "--today", day)
        assert scored.exit_code == 0, scored.output
    return quiz_id, folder


def report(flash, db, quiz_id, *extra, today):
    result = flash("quiz", "report", quiz_id, *extra, "--db", db, "--today", today)
    assert result.exit_code == 0, result.output
    return result.output


# -- the rules ---------------------------------------------------------------------------


def test_a_certificate_ends_its_valid_days_after_the_day_it_was_earned():
    assert expires_on("2026-12-01", 365) == datetime(2027, 12, 1).date()
    assert expires_on("2028-02-29", 1) == datetime(2028, 3, 1).date()
    assert expires_on("2026-12-01", None) is None
    assert expires_on("9999-12-31", 1) is None and expires_on("not a day", 30) is None
    assert [when(n) for n in (12, 1, 0, -1, -3)] == ["in 12 days", "in 1 day", "today", "ended 1 day ago",
                                                     "ended 3 days ago"]


# -- create, report, certificates ---------------------------------------------------------------


def test_create_report_csv_and_certificates_show_the_expiry(flash, db, tmp_path, certified):
    quiz_id, _ = certified
    the_quiz, _ = stored(db, quiz_id)
    assert the_quiz.valid_days == 365 and the_quiz.recertifies is None
    out = report(flash, db, quiz_id, "--csv", tmp_path / "r.csv", "--certificates", tmp_path / "certs",
                 today="2027-02-01")
    assert "certificates valid 365 days" in out
    # piped: each learner a tab-separated row
    assert re.search(r"^Ann Lee\t.*\t2026-12-01\t2027-12-01(\t|$)", out, re.M), out
    assert re.search(r"^Bob Roe\t.*\t2027-01-20\t2028-01-20(\t|$)", out, re.M), out
    assert re.search(r"^Cy Diaz\t.*fail.*\t–(\t|$)", out, re.M), out
    rows = {r["learner_id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text()))}
    assert {k: r["expires_on"] for k, r in rows.items()} == {"ann-lee": "2027-12-01", "bob-roe": "2028-01-20",
                                                             "cy-diaz": "", "di-wu": ""}
    page = (tmp_path / "certs" / f"{quiz_id}--ann-lee.html").read_text(encoding="utf-8")
    assert "Valid until <strong>2027-12-01</strong>" in page


def test_a_quiz_without_valid_days_has_no_expiry_and_refuses_expiring(flash, deck_path, db, tmp_path):
    roster = write_roster(tmp_path / "team.csv", "Ann Lee")
    assert flash("quiz", "roster", "import", roster, "--db", db, "--today", TODAY).exit_code == 0
    quiz_id, folder = create(flash, deck_path, db)
    answers = take(flash, db, paper_of(folder, quiz_id, "ann-lee"))
    assert flash("quiz", "score", answers, "--db", db, "--today", TODAY).exit_code == 0
    out = report(flash, db, quiz_id, "--certificates", tmp_path / "certs", today=TODAY)
    assert " expires " not in out and "certificates valid" not in out
    assert "Valid until" not in next((tmp_path / "certs").iterdir()).read_text(encoding="utf-8")
    for command in (["report", quiz_id, "--expiring", "30"], ["recertify", quiz_id, "--expiring", "30"]):
        result = flash("quiz", *command, "--db", db, "--today", TODAY)
        assert result.exit_code == 2
        assert (f"Error: the certificates of quiz {quiz_id} do not expire (a quiz made with 'flash quiz create "
                "--valid-days N' gives certificates that do)") in result.output
    assert [r[0] for r in sqlite3.connect(db).execute("SELECT id FROM quizzes")] == [quiz_id]


@pytest.mark.parametrize("args,message", [
    (["--valid-days", "0"], "Invalid value for '--valid-days'"),
    (["--valid-days", "soon"], "Invalid value for '--valid-days'"),
])
def test_create_refuses_a_bad_validity(flash, deck_path, db, tmp_path, args, message):
    roster = write_roster(tmp_path / "team.csv", "Ann Lee")
    assert flash("quiz", "roster", "import", roster, "--db", db, "--today", TODAY).exit_code == 0
    result = flash("quiz", "create", deck_path, "--title", "T", "--questions", "3", "--pass-mark", "80", "--roster",
                   "-o", tmp_path / "p", *args, "--db", db, "--today", TODAY)
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "p").exists()


# -- report --expiring ------------------------------------------------------------------------


def test_report_expiring_lists_the_certificates_that_end_within_days_of_today(flash, db, tmp_path, certified):
    quiz_id, _ = certified
    out = report(flash, db, quiz_id, "--expiring", "30", today="2027-11-15")
    assert "Certificates ending by 2027-12-15" in out
    assert re.search(r"^Ann Lee\tann-lee\tann.lee@example.com\tEast\t2026-12-01\t2027-12-01\tin 16 days", out, re.M)
    assert "Bob Roe" not in out and "Cy Diaz" not in out and "Di Wu" not in out
    assert (f"1 certificate ending within 30 days of 2027-11-15. Re-certify them with: flash quiz recertify "
            f"{quiz_id} --expiring 30") in out
    both = report(flash, db, quiz_id, "--expiring", "90", today="2027-11-15")
    assert both.index("Ann Lee") < both.index("Bob Roe") and "2 certificates ending within 90 days" in both
    ended = report(flash, db, quiz_id, "--expiring", "0", today="2027-12-05")
    assert "ended 4 days ago" in ended and "Bob Roe" not in ended
    none = report(flash, db, quiz_id, "--expiring", "30", today="2027-01-01")
    assert f"No certificate of quiz {quiz_id} to renew ends by 2027-01-31 (within 30 days of 2027-01-01)." in none
    piped = flash("quiz", "report", quiz_id, "--expiring", "90", "--csv", "-", "--db", db, "--today", "2027-11-15")
    assert [r["learner_id"] for r in csv.DictReader(io.StringIO(piped.stdout))] == ["ann-lee", "bob-roe"]
    mixed = flash("quiz", "report", quiz_id, "--expiring", "30", "--certificates", tmp_path / "c", "--db", db)
    assert mixed.exit_code == 2 and "--expiring lists learners to re-certify" in mixed.output
    negative = flash("quiz", "report", quiz_id, "--expiring", "-1", "--db", db, "--today", TODAY)
    assert negative.exit_code == 2 and "Invalid value for '--expiring'" in negative.output


def test_expiring_honours_flash_today_and_flash_db(flash, db, certified):
    quiz_id, _ = certified
    result = flash("quiz", "report", quiz_id, "--expiring", "30", env={"FLASH_DB": str(db),
                                                                       "FLASH_TODAY": "2027-11-15"})
    assert result.exit_code == 0 and "in 16 days" in result.output


# -- recertify -------------------------------------------------------------------------------------


def test_recertify_makes_the_quiz_for_exactly_the_expiring_learners(flash, db, tmp_path, certified, clock):
    quiz_id, _ = certified
    assert flash("quiz", "drop", quiz_id, "i01", "--reason", "ambiguous", "--db", db, "--today", TODAY).exit_code == 0
    result = flash("quiz", "recertify", quiz_id, "--expiring", "30", "--id", "lesson-4-recert", "-o",
                   tmp_path / "recert", "--db", db, "--today", "2027-11-15")
    assert result.exit_code == 0, result.output
    assert "Created re-certification quiz lesson-4-recert: Cert: Lesson 4 (re-certification)" in result.output
    assert (f"Renews quiz {quiz_id} for 1 learner whose certificate ends by 2027-12-15: Ann Lee (ann-lee)"
            in result.output)
    assert "Serve it and send the links with: flash quiz invite lesson-4-recert" in result.output
    old, _ = stored(db, quiz_id)
    new, papers = stored(db, "lesson-4-recert")
    assert sorted(papers) == ["ann-lee"]
    assert sorted(p.name for p in (tmp_path / "recert").iterdir()) == ["lesson-4-recert--ann-lee.paper.json"]
    assert [q.id for q in new.questions] == [q.id for q in old.questions if q.id != "i01"]
    assert new.key == {k: v for k, v in old.key.items() if k != "i01"}
    assert (new.recertifies, new.created_on, new.valid_days, new.per_paper, new.pass_mark, new.max_attempts) == \
        (quiz_id, "2027-11-15", 365, old.per_paper, old.pass_mark, old.max_attempts)
    links = flash("quiz", "invite", "lesson-4-recert", "--db", db, "--today", "2027-11-15")
    assert links.exit_code == 0 and [line.split("\t")[0] for line in links.stdout.splitlines()] == ["ann-lee"]

    # while Ann can still sit it, she is neither listed nor re-certified twice
    listed = report(flash, db, quiz_id, "--expiring", "30", today="2027-11-16")
    assert "Not listed: 1 learner can still sit re-certification quiz lesson-4-recert." in listed
    again = flash("quiz", "recertify", quiz_id, "--expiring", "30", "--db", db, "--today", "2027-11-16")
    assert again.exit_code == 0 and "Nothing to do" in again.output and "no quiz created" in again.output
    assert len(sqlite3.connect(db).execute("SELECT id FROM quizzes").fetchall()) == 2

    # once she passes it, the old certificate is renewed and the new one ends a year later
    clock.set("2027-11-20")
    answers = take(flash, db, tmp_path / "recert" / "lesson-4-recert--ann-lee.paper.json")
    assert flash("quiz", "score", answers, "--db", db, "--today", "2027-11-20").exit_code == 0
    renewed = report(flash, db, quiz_id, "--expiring", "90", today="2027-11-21")
    assert "Not listed: 1 learner renewed in lesson-4-recert." in renewed and "Ann Lee" not in renewed
    assert "Bob Roe" in renewed
    renewal = report(flash, db, "lesson-4-recert", today="2027-11-21")
    assert re.search(r"^Ann Lee\t.*\t2027-11-20\t2028-11-19(\t|$)", renewal, re.M)
    assert f"certificates valid 365 days · renews {quiz_id} ·" in renewal


@pytest.mark.parametrize("args,message", [
    (["--id", "Bad Id!"], "Invalid value for --id: 'Bad Id!' is not a quiz id"),
    (["--title", "  "], "Invalid value for --title: the title is empty"),
    (["--expiring", "-3"], "Invalid value for '--expiring'"),
])
def test_recertify_refuses_bad_options_and_changes_nothing(flash, db, tmp_path, certified, args, message):
    quiz_id, _ = certified
    base = ["--expiring", "30"] if "--expiring" not in args else []
    before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM quizzes").fetchone()
    result = flash("quiz", "recertify", quiz_id, *base, *args, "-o", tmp_path / "x", "--db", db,
                   "--today", "2027-11-15")
    assert result.exit_code == 2 and message in result.output, result.output
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM quizzes").fetchone() == before
    assert not (tmp_path / "x").exists()


def test_recertify_refuses_a_taken_id(flash, db, tmp_path, certified):
    quiz_id, _ = certified
    result = flash("quiz", "recertify", quiz_id, "--expiring", "30", "--id", quiz_id, "-o", tmp_path / "x",
                   "--db", db, "--today", "2027-11-15")
    assert result.exit_code == 2 and f"a quiz with id '{quiz_id}' already exists" in result.output
    assert not (tmp_path / "x").exists()


# -- the migration -----------------------------------------------------------------------------


def test_the_audit_log_keeps_its_rows_through_the_migration_and_now_logs_revocations(tmp_path):
    path = tmp_path / "v9.db"
    conn = sqlite3.connect(path)
    with conn:
        for migration in MIGRATIONS[:9]:
            for statement in migration:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 9")
        conn.execute("""INSERT INTO quizzes (id, title, pass_mark, seed, kinds, deck_ids, paper_checksum, created_on,
                        created_at) VALUES ('q', 'Q', 80, 1, '[]', '[]', '', '2026-11-01', 't')""")
        conn.execute("""INSERT INTO quiz_audit (id, quiz_id, action, learner_id, reason, day, at)
                        VALUES (7, 'q', 'void', 'ann', 'with a colleague', '2026-11-02', 't')""")
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        quizzes = QuizStore(store)
        assert [(a.action, a.learner_id, a.reason) for a in quizzes.audit("q")] == [("void", "ann",
                                                                                     "with a colleague")]
        assert quizzes.get("q").valid_days is None
        store.db.conn.execute("INSERT INTO quiz_audit (quiz_id, action, learner_id, day, at) "
                              "VALUES ('q', 'revoke', 'ann', '2026-11-03', 't')")
        with pytest.raises(sqlite3.IntegrityError):
            store.db.conn.execute("INSERT INTO quiz_audit (quiz_id, action, day, at) VALUES ('q', 'bribe', 'd', 't')")
