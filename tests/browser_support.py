"""Papers for the browser tests, built by hand per docs/quiz-files.md, and the contract's
reference signing code (copied verbatim from there, so the page is checked against it)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

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
    import os
    from pathlib import Path

    import pytest

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
