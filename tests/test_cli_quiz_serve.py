"""`flash quiz invite` and `flash quiz serve` through the real CLI (CliRunner and a subprocess)."""

from __future__ import annotations

import csv
import re

from conftest import flash_process, rows
from servekit import DECK, manager_db


def test_invite_prints_one_tab_separated_line_per_learner_and_writes_the_csv(invoke, db_path, tmp_path):
    manager_db(db_path, learners=3)
    out = tmp_path / "links.csv"
    result = invoke("quiz", "invite", "cert", "--base-url", "https://quiz.example.com/", "--csv", out,
                    "--db", db_path, "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[:2] for line in lines] == [["learner-01", "Learner 01"], ["learner-02", "Learner 02"],
                                            ["learner-03", "Learner 03"]]
    assert all(url.startswith("https://quiz.example.com/i/") and len(url) > 60 for _, _, url in lines)
    assert "3 personal links for quiz cert-1, also written to" in result.stderr
    with open(out, newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["learner_id"], r["email"], r["url"]) for r in table] == [
        (lid, f"{lid.replace('-', '')}@example.com", url) for lid, _, url in lines]
    # hashes only in the database, and the links made earlier by manager_db no longer work
    stored = rows(db_path, "SELECT token_hash FROM quiz_invites WHERE revoked_at IS NULL")
    assert len(stored) == 3 and all(url.rsplit("/", 1)[1] not in str(stored) for _, _, url in lines)
    assert rows(db_path, "SELECT COUNT(*) FROM quiz_invites WHERE revoked_why = 'replaced by a new link'") == [(3,)]


def test_invite_for_some_learners_and_revoke(invoke, db_path):
    manager_db(db_path, learners=3)
    result = invoke("quiz", "invite", "cert-1", "--learner", "learner02@example.com", "--db", db_path,
                    "--today", "2026-12-01")
    assert result.exit_code == 0 and result.stdout.startswith("learner-02\tLearner 02\thttp://127.0.0.1:8000/i/")
    result = invoke("quiz", "invite", "cert-1", "--revoke", "learner-02", "--db", db_path, "--today", "2026-12-01")
    assert result.exit_code == 0
    assert "Revoked 1 link of Learner 02 (learner-02) for cert-1; their sessions ended." in result.stderr
    assert rows(db_path, "SELECT COUNT(*) FROM quiz_invites WHERE learner_id = 'learner-02' AND revoked_at IS NULL") \
        == [(0,)]
    # in the audit log on the --today day, like void, drop and extra attempt; re-inviting is not a revocation
    result = invoke("quiz", "invite", "cert-1", "--revoke", "learner-02", "--db", db_path, "--today", "2026-12-03")
    assert "(none was live)" in result.stderr
    assert rows(db_path, "SELECT action, learner_id, reason, day FROM quiz_audit ORDER BY id") == [
        ("revoke", "learner-02", "revoked by the manager", "2026-12-01"),
        ("revoke", "learner-02", "revoked by the manager (no link was live)", "2026-12-03")]
    report = invoke("quiz", "report", "cert-1", "--db", db_path, "--today", "2026-12-03")
    assert re.search(r"2026-12-01\trevoke\tLearner 02 \(learner-02\)\t–\t.*revoked by the manager", report.stdout)


def test_invite_refuses_bad_input_in_one_line(invoke, db_path):
    manager_db(db_path, learners=1)
    cases = [
        (["cert-1", "--base-url", "ftp://x"], 2, "'ftp://x' is not an http:// or https:// address"),
        (["nope"], 1, "Error: no quiz 'nope'"),
        (["cert-1", "--learner", "ghost@example.com"], 1, "Error: not on the roster: ghost@example.com"),
        (["cert-1", "--revoke", "learner-01", "--csv", "x.csv"], 2, "--revoke cannot be combined"),
    ]
    for args, code, message in cases:
        result = invoke("quiz", "invite", *args, "--db", db_path, "--today", "2026-12-01")
        assert result.exit_code == code, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output


def test_create_takes_a_per_question_limit_and_show_answers(invoke, db_path, tmp_path, write_deck):
    deck = write_deck(DECK, "greek.yaml")
    (tmp_path / "team.csv").write_text("name,email\nAnn Lee,ann@example.com\n", encoding="utf-8")
    assert invoke("quiz", "roster", "import", tmp_path / "team.csv", "--db", db_path,
                  "--today", "2026-12-01").exit_code == 0
    result = invoke("quiz", "create", deck, "--title", "T", "--questions", "3", "--pass-mark", "80",
                    "--roster", "--question-seconds", "45", "--show-answers", "-o", tmp_path / "papers",
                    "--db", db_path, "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "45 s per question when served" in result.stdout
    assert rows(db_path, "SELECT question_seconds, show_answers FROM quizzes") == [(45, 1)]


def test_serve_refuses_an_empty_database_and_a_bad_root_path(tmp_path, db_path, invoke):
    assert invoke("quiz", "roster", "list", "--db", db_path).exit_code == 0  # makes an empty database
    done = flash_process("quiz", "serve", "--port", "0", "--db", db_path, cwd=tmp_path)
    assert done.returncode == 1 and f"Error: no quizzes in {db_path}" in done.stderr
    result = invoke("quiz", "serve", "--root-path", "quiz/", "--db", db_path)
    assert result.exit_code == 2 and "a path like /quiz" in result.stderr
    result = invoke("quiz", "serve", "--manager", "boss@example.com", "--db", db_path)
    assert result.exit_code == 2 and "--manager needs --trust-header" in result.stderr
