"""Load on `flash quiz serve`: many learners sitting at once against one Uvicorn worker, on localhost.

    python benchmarks/serve_load.py [--learners 200] [--answers 20] [--timeout 300] [--no-kill]

Builds a manager's database in a temporary folder (a roster of --learners, one
quiz from the shipped decks with --answers questions per paper and a 60-minute
limit, one link each), starts `flash quiz serve --port 0` as a subprocess (one
worker, 127.0.0.1 only) and has every learner sign in, start and answer every
question at once, each with a cookie jar of their own (httpx), as a browser
does: POST the answer, follow the redirect to the next question.

Prints the throughput (answers acknowledged per second), the latency of an
answer (the POST until its 303: the answer is committed before it) and of a
whole step (POST and the next question's page), p50 and p99, and answers
acknowledged against answers stored in the database (every acknowledged answer
must be stored).

Then again with a SIGKILL of the server half-way (when half the answers are
acknowledged) and a restart on a new port: learners whose request failed wait
for the server and reload their page, which the server's state decides; the
figures then also count answers that were stored but whose acknowledgement was
lost with the server (in flight at the kill).

Bounded: at most --learners x --answers answers, and the whole run stops after
--timeout seconds (the server is killed whatever happens). Localhost only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's flashcards, not an installed one

import httpx  # noqa: E402

from flashcards.decks import load_decks  # noqa: E402
from flashcards.quiz.generate import generate  # noqa: E402
from flashcards.quiz.model import Quiz  # noqa: E402
from flashcards.quiz.papers import issue_paper  # noqa: E402
from flashcards.quiz.roster import RosterRow  # noqa: E402
from flashcards.store import Store  # noqa: E402
from flashcards.store.quizzes import QuizStore  # noqa: E402
from flashcards.store.sittings import SittingStore  # noqa: E402

QUIZ = "load-1"
FIELD = {name: re.compile(rf'name="{name}" value="([^"]*)"') for name in ("csrf", "position")}
CHOICE = re.compile(r'name="choice" id="[^"]*" value="([^"]*)"')


def make_database(folder: Path, learners: int, answers: int) -> dict[str, str]:
    now = datetime.now(timezone.utc)
    decks = load_decks([REPO / "decks"])
    items = generate(decks, None, None, 1, prefix="i")
    quiz = Quiz(id=QUIZ, title="Load test", pass_mark=80, questions=items, seed=1, deck_ids=tuple(d.id for d in decks),
                created_on=now.date().isoformat(), question_count=answers, time_limit=60)
    with Store.open(folder / "manager.db") as store:
        quizzes = QuizStore(store)
        quizzes.import_roster([RosterRow(n, f"Learner {n:03d}", f"learner{n:03d}@example.com", "")
                               for n in range(learners)], today=now.date())
        roster = quizzes.roster()
        quizzes.add(quiz, created_at=now, papers=[issue_paper(quiz, learner) for learner in roster])
        return {learner.id: token for learner, token in SittingStore(store).invite(QUIZ, roster, now=now)}


class Server:
    def __init__(self, folder: Path):
        self.folder = folder
        self.proc = None
        self.base = ""

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
        env["PYTHONPATH"] = str(REPO)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flashcards", "quiz", "serve", "--host", "127.0.0.1", "--port", "0",
             "--db", str(self.folder / "manager.db")], cwd=self.folder, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        for line in self.proc.stdout:
            found = re.search(r" on (http://127\.0\.0\.1:\d+)/", line)
            if found:
                self.base = found.group(1)
                return
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Run:
    def __init__(self, server: Server, answers: int, kill_at: int | None):
        self.server = server
        self.answers = answers
        self.kill_at = kill_at  # acknowledged answers after which the server is killed (None: never)
        self.acknowledged: set[tuple[str, int]] = set()  # (learner, position)
        self.post_ms: list[float] = []
        self.step_ms: list[float] = []
        self.up = asyncio.Event()
        self.up.set()
        self.restarts = 0
        self.failed_requests = 0

    async def request(self, client: httpx.AsyncClient, method: str, path: str, **kwargs) -> httpx.Response:
        """One request to wherever the server now is; waits out a restart."""
        while True:
            await self.up.wait()
            try:
                return await client.request(method, self.server.base + path, **kwargs)
            except httpx.TransportError:
                self.failed_requests += 1
                await asyncio.sleep(0.2)

    async def restart(self) -> None:
        self.up.clear()
        self.server.kill()
        await asyncio.to_thread(self.server.start)
        self.restarts += 1
        self.up.set()

    async def learner(self, learner_id: str, token: str) -> None:
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=1)) as client:
            await self.request(client, "GET", f"/i/{token}")
            page = (await self.request(client, "GET", f"/q/{QUIZ}/")).text
            csrf = FIELD["csrf"].search(page).group(1)
            await self.request(client, "POST", f"/q/{QUIZ}/start", data={"csrf": csrf})
            page = (await self.request(client, "GET", f"/q/{QUIZ}/")).text
            while True:
                position, choices = FIELD["position"].search(page), CHOICE.findall(page)
                if position is None or not choices:
                    return  # the result page: every question answered
                form = {"csrf": csrf, "position": position.group(1), "action": "answer", "choice": choices[0]}
                started = time.perf_counter()
                try:
                    response = await client.post(self.server.base + f"/q/{QUIZ}/answer", data=form)
                except httpx.TransportError:  # the server died under this answer: reload when it is back
                    self.failed_requests += 1
                    page = (await self.request(client, "GET", f"/q/{QUIZ}/")).text
                    continue
                acked = time.perf_counter()
                if response.status_code == 303:
                    self.acknowledged.add((learner_id, int(position.group(1))))
                    self.post_ms.append(1000 * (acked - started))
                    if self.kill_at is not None and self.restarts == 0 and len(self.acknowledged) >= self.kill_at \
                            and self.up.is_set():
                        await self.restart()
                page = (await self.request(client, "GET", f"/q/{QUIZ}/")).text
                self.step_ms.append(1000 * (time.perf_counter() - started))


def stored(folder: Path) -> set[tuple[str, int]]:
    conn = sqlite3.connect(folder / "manager.db")
    try:
        return {(learner, position) for learner, position in conn.execute(
            """SELECT s.learner_id, a.position FROM quiz_sitting_answers a JOIN quiz_sittings s ON s.id = a.sitting_id
               WHERE a.outcome IS NOT NULL""")}
    finally:
        conn.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def phase(learners: int, answers: int, kill: bool, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        folder = Path(tmp)
        tokens = make_database(folder, learners, answers)
        server = Server(folder)
        server.start()
        run = Run(server, answers, learners * answers // 2 if kill else None)
        started = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.gather(*[run.learner(lid, token) for lid, token in tokens.items()]),
                                   timeout)
        finally:
            wall = time.perf_counter() - started
            server.stop()
        kept = stored(folder)
        lost = run.acknowledged - kept
        title = "with a SIGKILL half-way and a restart" if kill else "steady"
        print(f"\n{title}: {learners} learners x {answers} answers, one Uvicorn worker, 127.0.0.1")
        print(f"  wall time {wall:.1f} s; throughput {len(run.acknowledged) / wall:.0f} answers/s")
        print(f"  answer (POST until its 303): p50 {percentile(run.post_ms, 0.5):.1f} ms, "
              f"p99 {percentile(run.post_ms, 0.99):.1f} ms")
        print(f"  step (POST + next question's page): p50 {percentile(run.step_ms, 0.5):.1f} ms, "
              f"p99 {percentile(run.step_ms, 0.99):.1f} ms")
        print(f"  answers acknowledged {len(run.acknowledged)}, stored {len(kept)}, "
              f"acknowledged but not stored {len(lost)}")
        if kill:
            print(f"  restarts {run.restarts}; requests that failed during it {run.failed_requests}; "
                  f"stored but not acknowledged (in flight at the kill) {len(kept - run.acknowledged)}")
        if lost:
            raise SystemExit(f"LOST {len(lost)} acknowledged answers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds each phase may take at most")
    parser.add_argument("--no-kill", action="store_true", help="skip the phase with a SIGKILL")
    args = parser.parse_args()
    if not (1 <= args.learners <= 1000 and 1 <= args.answers <= 50):
        parser.error("--learners 1..1000 and --answers 1..50")
    asyncio.run(phase(args.learners, args.answers, False, args.timeout))
    if not args.no_kill:
        asyncio.run(phase(args.learners, args.answers, True, args.timeout))


if __name__ == "__main__":
    main()
