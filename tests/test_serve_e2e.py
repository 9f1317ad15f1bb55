"""`flash quiz serve` end to end: a real Uvicorn on 127.0.0.1 (a subprocess of the real CLI), driven by
httpx and by Playwright with Debian's chromium. The manager's page's walkthrough (docs/manager.md)
for a roster of 20 runs as written; a server killed with SIGKILL mid-sitting and started again loses no
acknowledged answer, also when it is killed again and again at random moments while eight learners answer
(issue 23 §8)."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, browser_or_skip
from conftest import PACKAGE_ROOT, REPO, flash_process, rows
from servekit import T0, LearnerClient, manager_db, names

from flashcards.store import Store
from flashcards.store.quizzes import QuizStore
from flashcards.store.sittings import SittingStore

MANAGER_PAGE = REPO / "docs" / "manager.md"  # the checkout's, also when the suite tests the installed package


@pytest.fixture(autouse=True)
def no_server_left_running():
    """Whatever a test asserts, every server it started is gone when it ends."""
    yield
    while LiveServer.started:
        server = LiveServer.started.pop()
        if server.proc.poll() is None:
            server.kill()


class LiveServer:
    """``flash quiz serve`` in a subprocess; ``base`` and ``manager`` are the addresses it printed."""

    started: list["LiveServer"] = []

    def __init__(self, args: list[str], *, cwd: Path, env: dict):
        environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
        environ.update(PYTHONPATH=str(PACKAGE_ROOT), XDG_DATA_HOME=str(cwd / "xdg-data"), **env)
        self.proc = subprocess.Popen([sys.executable, "-m", "flashcards", *args], cwd=cwd, env=environ,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        LiveServer.started.append(self)
        self.lines: queue.Queue = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 30
        self.manager = None
        while self.manager is None:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.proc.kill()
                raise AssertionError(f"the server did not start: {self.proc.stderr.read()}") from None
            found = re.match(r"Manager's page: (\S+)", line)
            if found:
                self.manager = found.group(1)
        self.base = self.manager.split("/manage/")[0]

    def _read(self):
        for line in self.proc.stdout:
            self.output.append(line)
            self.lines.put(line)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=20)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latest_key(db, quiz_id, learner_id):
    """The shown option id of the right answer at each position of the learner's sitting (manager's side)."""
    with Store.open(db) as store:
        sitting = SittingStore(store).latest(quiz_id, learner_id)
        quizzes = QuizStore(store)
        quiz, paper = quizzes.get(quiz_id), quizzes.paper(sitting.paper_id)
    return [next(s for s, c in q.options if c == quiz.item(q.item_id).answer) for q in paper.questions]


# -- a server killed mid-sitting --------------------------------------------------


def test_a_server_killed_mid_sitting_loses_no_acknowledged_answer_and_keeps_the_clock(tmp_path):
    db = tmp_path / "manager.db"
    manager_db(db, learners=2, per_paper=6, time_limit=30)
    server = LiveServer(["quiz", "serve", "--port", "0", "--db", str(db)], cwd=tmp_path, env={})
    with Store.open(db) as store:  # fresh links, as 'flash quiz invite' makes them
        sittings = SittingStore(store)
        tokens = {learner.id: token for learner, token in
                  sittings.invite("cert-1", sittings.quiz_learners("cert-1"), now=T0)}
    with httpx.Client(base_url=server.base, timeout=10) as http:
        ann = LearnerClient(http, tokens["learner-01"])
        page = ann.start()
        acknowledged = []
        for _ in range(3):
            response_page = ann.answer(page, 1)
            assert response_page.status == 200  # the redirect after the stored answer came back
            acknowledged.append(page.field("position"))
            page = response_page
        before = rows(db, "SELECT started_at, deadline FROM quiz_sittings")
        server.kill()
        assert server.proc.returncode == -signal.SIGKILL
        stored = rows(db, "SELECT position FROM quiz_sitting_answers WHERE outcome = 'answered' ORDER BY position")
        assert [str(p) for (p,) in stored] == acknowledged
        server = LiveServer(["quiz", "serve", "--port", "0", "--db", str(db)], cwd=tmp_path, env={})
        http.base_url = server.base  # the cookie is for 127.0.0.1, whatever the port
        resumed = ann.page()
        assert "question 4 of 6" in resumed.text and resumed.options == page.options
        assert rows(db, "SELECT started_at, deadline FROM quiz_sittings") == before
        minutes = int(re.search(r"(\d+):\d\d left", resumed.text).group(1))
        assert 28 <= minutes <= 29  # the clock kept running from the first start
        for _ in range(3):
            resumed = ann.answer(resumed, 1)
        assert "of 6" in resumed.text and ("Passed" in resumed.text or "Not passed" in resumed.text)
    assert server.stop() == 0
    assert rows(db, "SELECT COUNT(*) FROM quiz_sitting_answers WHERE outcome = 'answered'") == [(6,)]
    assert rows(db, "SELECT COUNT(*), MAX(total) FROM quiz_attempts") == [(1, 6)]


def test_a_second_device_resumes_and_no_response_carries_the_key(tmp_path):
    db = tmp_path / "manager.db"
    quiz, tokens = manager_db(db, learners=1, per_paper=4)
    server = LiveServer(["quiz", "serve", "--port", "0", "--db", str(db), "--today", "2026-12-01"], cwd=tmp_path,
                        env={})
    with Store.open(db) as store:
        sittings = SittingStore(store)
        [(_, token)] = sittings.invite("cert-1", sittings.quiz_learners("cert-1"), now=T0)
    try:
        with httpx.Client(base_url=server.base) as phone_http, httpx.Client(base_url=server.base) as laptop_http:
            phone = LearnerClient(phone_http, token)
            page = phone.start()
            page = phone.answer(page, 0)
            laptop = LearnerClient(laptop_http, token)
            resumed = laptop.page()
            assert "question 2 of 4" in resumed.text and resumed.options == page.options
            for _ in range(3):
                resumed = laptop.answer(resumed, 0)
            assert "of 4" in resumed.text and rows(db, "SELECT COUNT(*) FROM quiz_sittings") == [(1,)]
            key = latest_key(db, "cert-1", "learner-01")
            items = {q.id for q in quiz.questions}
            for response in phone.responses + laptop.responses:
                assert not any(re.search(rf"\b{i}\b", response.text) for i in items)
                assert "cert-1--" not in response.text and not re.search(r"[\"'=]o\d\b", response.text)
                assert "csrf" not in response.headers.get("set-cookie", "")
            assert all(k not in resumed.html for k in key)  # the result page names no option ids
    finally:
        server.stop()


# -- the manager's page's walkthrough for 20 learners in Chromium ----------------------------------


def walkthrough_commands() -> list[list[str]]:
    """The ``$ flash ...`` lines of the manager's page's section on serving, up to the proxy examples."""
    text = MANAGER_PAGE.read_text(encoding="utf-8")
    section = text.split("\n## Serving the certification", 1)[1].split("**Behind a TLS reverse proxy.**", 1)[0]
    return [shlex.split(line[2:])[1:] for line in section.splitlines() if line.startswith("$ flash ")]


def test_the_docs_walkthrough_for_20_learners_in_chromium(tmp_path):
    commands = walkthrough_commands()
    assert [c[:2] for c in commands] == [["quiz", "roster"], ["quiz", "create"], ["quiz", "serve"],
                                         ["quiz", "invite"], ["quiz", "report"]]
    manager, browser = browser_or_skip()  # skips (fails under CI) without chromium; closed at once:
    browser.close()  # the sitting below drives its own, with Playwright's async API, 20 pages at once
    manager.stop()
    db = tmp_path / "manager.db"
    env = {"FLASH_DB": str(db), "FLASH_TODAY": "2026-12-01"}
    (tmp_path / "team.csv").write_text("name,email,team\n" + "".join(
        f"{name},{email},East\n" for name, email in names(20)), encoding="utf-8")
    port = str(free_port())
    server = None
    try:
        for command in commands[:2]:
            done = flash_process(*command, cwd=tmp_path, env=env)
            assert done.returncode == 0, done.stderr
        server = LiveServer([c.replace("8000", port) for c in commands[2]], cwd=tmp_path, env=env)
        assert server.base == f"http://127.0.0.1:{port}"
        invited = flash_process(*[c.replace("8000", port) for c in commands[3]], cwd=tmp_path, env=env)
        assert invited.returncode == 0, invited.stderr
        links = [line.split("\t") for line in invited.stdout.splitlines()]
        assert len(links) == 20 and all(url.startswith(f"http://127.0.0.1:{port}/i/") for _, _, url in links)
        assert (tmp_path / "links.csv").read_text(encoding="utf-8").count("\n") == 21
        quiz_id = rows(db, "SELECT id FROM quizzes")[0][0]
        results = asyncio.run(sit_twenty(server, db, quiz_id, links, tmp_path))
        for n, (text, errors) in enumerate(results):
            assert ("Passed: 8 of 10 (80%)" if n < 15 else "Not passed: 3 of 10 (30%)") in text, text
            assert errors == []
        assert server.stop() == 0
        assert "Stopped." in "".join(server.output)
        server = None
        report = flash_process(*commands[4], cwd=tmp_path, env=env)
        assert report.returncode == 0, report.stderr
        assert "Pass rate: 15 of 20 learners (75%)" in report.stdout
        assert len(list((tmp_path / "certificates").glob("*.html"))) == 15
    finally:
        if server is not None:
            server.kill()


async def sit_twenty(server, db, quiz_id, links, folder):
    """20 learners in one chromium, each in a context of their own (half at phone width), sitting at once;
    the manager watches. Returns each learner's result text and page errors."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        boss = await browser.new_context(viewport=DESKTOP)
        board = await boss.new_page()
        await board.goto(server.manager)
        await board.wait_for_url("**/manage")
        started = asyncio.Event()
        ready = []

        async def learner(n, learner_id, name, url):
            context = await browser.new_context(viewport=PHONE if n % 2 else DESKTOP)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            await page.goto(url)
            await page.wait_for_url(f"**/q/{quiz_id}/")
            assert name in await page.content()
            await page.get_by_role("button", name="Start the quiz").click()
            await page.wait_for_selector("legend.prompt")
            ready.append(n)
            if len(ready) == len(links):
                started.set()
            await started.wait()  # everyone has started before anyone answers
            key = latest_key(db, quiz_id, learner_id)
            for position in range(10):
                if n < 2 and position == 0:
                    await page.screenshot(path=str(folder / f"question-{'phone' if n else 'desktop'}.png"),
                                          full_page=True)
                if position < 8 if n < 15 else position < 3:  # 15 pass with 80%, 5 fail
                    await page.locator(f"#o-{key[position]}").check()
                else:  # by keyboard: focus a wrong option, Space picks it
                    values = await page.locator("input[type=radio]").evaluate_all("els => els.map(e => e.value)")
                    await page.locator(f"#o-{[v for v in values if v != key[position]][0]}").focus()
                    await page.keyboard.press("Space")
                await page.get_by_role("button", name="Answer").click()
                await page.wait_for_selector("legend.prompt, p.result")
            if n < 2:
                await page.screenshot(path=str(folder / f"result-{'phone' if n else 'desktop'}.png"), full_page=True)
            text = await page.inner_text("main")
            await context.close()
            return text, errors

        async def watch():
            await started.wait()
            await board.goto(f"{server.base}/manage/q/{quiz_id}/")
            assert "20 sitting now · 0 finished · 0 not started" in await board.inner_text("main")
            await board.screenshot(path=str(folder / "manager-live.png"), full_page=True)

        results = await asyncio.gather(*[learner(n, *link) for n, link in enumerate(links)], watch())
        await board.goto(f"{server.base}/manage/q/{quiz_id}/")
        assert "0 sitting now · 20 finished · 0 not started" in await board.inner_text("main")
        await board.goto(f"{server.base}/manage/q/{quiz_id}/report")
        assert await board.locator("#report-learners a", has_text="certificate").count() == 15
        await board.screenshot(path=str(folder / "manager-report.png"), full_page=True)
        await browser.close()
    return results[:-1]


# -- a server killed at random moments while answers are in flight --------------------

KILL_SECONDS = float(os.environ.get("FLASH_KILL_SECONDS", "25")) / 2  # half the budget of the scoring kills


def test_a_server_killed_at_random_moments_while_answers_are_in_flight_loses_none_and_counts_none_twice(tmp_path):
    """Eight learners answer as fast as the server lets them; the server is killed with SIGKILL at a
    random moment, started again, killed again... Every answer the server acknowledged (the next page
    came back) is stored, no position is stored twice, the sittings' start and deadline never move, and
    once every sitting is finished each learner has one attempt of all 12 answers. The kills stop after
    FLASH_KILL_SECONDS / 2 (default 12.5 s), and the last start runs to the end."""
    import random

    db = tmp_path / "manager.db"
    _quiz, tokens = manager_db(db, learners=8, per_paper=12, time_limit=30)
    rng = random.Random(os.environ.get("FLASH_KILL_SEED", "23"))
    acknowledged: dict[str, list[str]] = {learner: [] for learner in tokens}
    finished: set[str] = set()
    jars: dict[str, httpx.Cookies] = {}
    clocks: dict = {}
    kills = 0

    def done(page) -> bool:  # the result of a finished sitting
        return "Passed" in page.text or "Not passed" in page.text

    def sit(learner: str, base: str) -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            client = LearnerClient(http)
            client.jar = jars.get(learner, client.jar)
            try:
                page = client.page()
                if page.field("position") is None and not page.action("/start") and not done(page):
                    client.sign_in(tokens[learner])  # not signed in yet (or killed while signing in)
                    page = client.page()
                if done(page):  # finished under the last kill
                    finished.add(learner)
                    return
                if page.field("position") is None and page.action("/start"):
                    page = client.start()
                while page.field("position") is not None:
                    answered = client.answer(page, 0)
                    if answered.status != 200:
                        return
                    acknowledged[learner].append(page.field("position"))
                    page = answered
                if done(page):
                    finished.add(learner)
            except httpx.HTTPError:  # the server was killed under this request
                pass
            finally:
                jars[learner] = client.jar

    deadline = time.monotonic() + KILL_SECONDS
    while len(finished) < len(tokens):
        server = LiveServer(["quiz", "serve", "--port", "0", "--db", str(db)], cwd=tmp_path, env={})
        threads = [threading.Thread(target=sit, args=(learner, server.base)) for learner in tokens
                   if learner not in finished]
        for thread in threads:
            thread.start()
        last_round = time.monotonic() > deadline
        if not last_round:
            time.sleep(rng.uniform(0.05, 0.6))
            server.kill()
            kills += 1
        for thread in threads:
            thread.join(timeout=60)
        if last_round:
            assert server.stop() == 0
        stored = {}
        for learner in tokens:
            stored[learner] = [str(p) for (p,) in rows(
                db, """SELECT a.position FROM quiz_sitting_answers a JOIN quiz_sittings s ON s.id = a.sitting_id
                       WHERE s.learner_id = ? AND a.outcome = 'answered' ORDER BY a.position""", learner)]
            assert len(stored[learner]) == len(set(stored[learner]))  # no position twice
            assert set(acknowledged[learner]) <= set(stored[learner])  # no acknowledged answer lost
        assert rows(db, "SELECT learner_id FROM quiz_sittings GROUP BY learner_id HAVING COUNT(*) > 1") == []
        sittings = {learner: (started, ends) for learner, started, ends
                    in rows(db, "SELECT learner_id, started_at, deadline FROM quiz_sittings")}
        assert {k: sittings.get(k) for k in clocks} == clocks  # a sitting's clock is never restarted
        clocks = sittings
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        if last_round:
            break
    assert finished == set(tokens), (finished, acknowledged)
    assert rows(db, "SELECT learner_id, COUNT(*), MAX(total) FROM quiz_attempts GROUP BY learner_id") == [
        (learner, 1, 12) for learner in sorted(tokens)]
    assert rows(db, "SELECT COUNT(*) FROM quiz_sitting_answers WHERE outcome = 'answered'") == [(96,)]
    print(f"\n{kills} kills of the server while 8 learners answered 96 questions "
          f"({sum(map(len, acknowledged.values()))} acknowledged)")
    assert kills >= 3
