"""Papers for the browser tests, built by hand per docs/quiz-files.md, and the contract's
reference signing code (copied verbatim from there, so the page is checked against it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from pathlib import Path

import pytest

from flashcards.quiz.browser import paper_html

SHOTS = Path(tempfile.gettempdir()) / "flashcards-screenshots"  # never the checkout
DESKTOP = {"width": 1024, "height": 800}
PHONE = {"width": 360, "height": 740}

# Text that has broken pages before: markup, a script end tag, a line separator, quotes,
# a backslash, DEL, a control character, accents and a character outside the BMP.
HOSTILE = "</script><script>window.pwned=1</script> <b>bold?</b> & \u2028 \"q\" \\ \x7f \x01 caf\u00e9 \U0001F600"


def make_paper(questions: int = 4, *, time_limit_seconds: int | None = 600, name: str = "Zo\u00eb O'Brien \U0001F600",
               hostile: bool = True) -> dict:
    qs = []
    for n in range(1, questions + 1):
        prompt = f"Question text {n}: what is item {n}?"
        if hostile and n == 2:
            prompt = "Which is literal? " + HOSTILE
        if n == 3:
            prompt = "Don't say: a long line.\n\nWhat do you say instead?"
        options = [{"id": secrets.token_hex(4), "text": f"Option {letter} for question {n}"}
                   for letter in "ABCD"]
        if hostile and n == 2:
            options[1]["text"] = "<img src=x onerror=window.pwned=2> " + HOSTILE
        qs.append({"id": f"q{n:02d}", "prompt": prompt, "options": options})
    return {
        "format": "flashcards-paper/2",
        "quiz": {"id": "lesson-4-cert-ab12cd", "title": "Lesson 4 <certification> & co",
                 "pass_mark": 80, "time_limit_seconds": time_limit_seconds, "max_attempts": 2,
                 "question_count": questions},
        "paper": "p-" + secrets.token_hex(8),
        "learner": {"id": "zoe-obrien", "name": name},
        "token": secrets.token_hex(32),
        "questions": qs,
    }


def signing_bytes(answers: dict) -> bytes:
    body = {k: v for k, v in answers.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def reference_signature(answers: dict, token: str) -> str:
    return hmac.new(bytes.fromhex(token), signing_bytes(answers), hashlib.sha256).hexdigest()


# ---- A real browser: the Debian chromium package driven by Playwright ----

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def browser_or_skip():
    """Playwright's sync API and a launched chromium. Outside CI a missing browser skips the
    test; under CI (the CI variable set) it is a failure, so the tests never skip there."""

    def missing(why: str):
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{why}; CI must install it (see .ci/run)")
        pytest.skip(why)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install '.[test]')")
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        manager.stop()
        raise
    return manager, browser


@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    manager, launched = browser_or_skip()
    yield launched
    launched.close()
    manager.stop()


class Tab:
    """One browser context (its own localStorage) and page, recording every request and error."""

    def __init__(self, browser, viewport):
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def open(self, path: Path):
        self.url = path.as_uri()
        self.page.goto(self.url)
        return self.page


@pytest.fixture(name="tab")
def tab_fixture(browser):
    """Factory: a fresh Tab; afterwards, no page error and no request but the file (and blobs)."""
    made = []

    def make(viewport=DESKTOP):
        made.append(Tab(browser, viewport))
        return made[-1]

    yield make
    for each in made:
        assert each.errors == [], each.errors
        assert all(url == each.url or url.startswith("blob:") for url in each.requests), each.requests
        each.context.close()


def page_file(folder: Path, paper: dict) -> Path:
    path = folder / f"{paper['quiz']['id']}--{paper['learner']['id']}.paper.html"
    path.write_text(paper_html(paper), encoding="ascii")
    return path


def shot(page, name: str):
    """A full-page screenshot, to look at, in a temporary folder (FLASHCARDS_SHOTS overrides it)."""
    folder = Path(os.environ.get("FLASHCARDS_SHOTS") or SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"browser-{name}.png"), full_page=True)


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def text(page, selector: str) -> str:
    return page.locator(selector).text_content()


def choose(page, question: dict, index: int):
    page.get_by_role("radio", name=question["options"][index]["text"], exact=True).check()


def download_answers(page, folder: Path) -> tuple[dict, Path]:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download answers file").click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return json.loads(path.read_text(encoding="utf-8")), path


def decode_block(block: str) -> dict:
    match = re.search(r"-----BEGIN FLASHCARDS ANSWERS-----(.*?)-----END FLASHCARDS ANSWERS-----", block, re.S)
    assert all(len(line) <= 64 for line in match.group(1).split())
    return json.loads(base64.b64decode("".join(match.group(1).split())).decode("utf-8"))
