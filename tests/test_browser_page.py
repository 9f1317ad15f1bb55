"""The HTML paper in a real browser: Debian's chromium driven by Playwright.

Each test opens a page written by paper_html() from a file URL, as a learner would open
the file a manager mailed. Screenshots of every screen go to a temporary folder (tests/browser_support.py) at
desktop and phone width, to be looked at. Outside CI the tests skip when chromium or
Playwright is missing; under CI they fail instead (browser_support.browser_or_skip).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timezone

import pytest
from browser_support import (  # noqa: F401 (the *_fixture names register the browser and tab fixtures)
    HOSTILE, PHONE, browser_fixture, choose, decode_block, download_answers, expect, make_paper, page_file,
    reference_signature, shot, tab_fixture, text,
)

# ---- The signer ------------------------------------------------------------------------

RFC_4231 = [  # (key, data, HMAC-SHA-256) for test cases 1-4, 6 and 7 (5 is truncated)
    ("0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (b"Jefe".hex(), b"what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("aa" * 20, b"\xdd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    ("0102030405060708090a0b0c0d0e0f10111213141516171819", b"\xcd" * 50,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    ("aa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ("aa" * 131, b"This is a test using a larger than block-size key and a larger than block-size data. "
                 b"The key needs to be hashed before being used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
]


@pytest.fixture
def signer_page(tab, tmp_path):
    return tab().open(page_file(tmp_path, make_paper()))


def test_hmac_matches_the_rfc_4231_vectors(signer_page):
    for key, data, expected in RFC_4231:
        got = signer_page.evaluate("([k, d]) => FlashcardsPaper.hmacSha256Hex(k, d)", [key, list(data)])
        assert got == expected


def test_sha256_matches_python_around_the_block_boundaries(signer_page):
    # Messages of 0..130 bytes cross the 55/56/64-byte padding edges twice.
    messages = [bytes((7 * n + i) % 256 for i in range(n)) for n in range(131)]
    got = signer_page.evaluate("ms => ms.map(m => FlashcardsPaper.sha256Hex(m))", [list(m) for m in messages])
    assert got == [hashlib.sha256(m).hexdigest() for m in messages]


TRICKY = [
    {"b": 1, "a": [True, False, None], "c": {"z": "", "y": -7}},
    {"s": HOSTILE, "t": "tab\tnewline\nreturn\rbell\x07formfeed\x0cbackspace\x08 \x1f \x7f \x80 \u00ff"},
    {"emoji \U0001F600": "\U0001F600\U0001F4A9", "\uffff": 1, "\U00010000": 2, "\u00e9": 3, "e": 4, "E": 5},
    {"quotes": "\"'`", "slash": "/\\", "line seps": "\u2028\u2029", "cjk": "\u4e2d\u6587", "rtl": "\u202e"},
    {"answers": {"q02": {"choice": None, "at": None}, "q01": {"choice": "a1b2c3", "at": "2026-11-23T10:01:10+00:00"}}},
]


@pytest.mark.parametrize("document", TRICKY)
def test_canonical_json_is_byte_for_byte_python_json_dumps(signer_page, document):
    expected = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert signer_page.evaluate("d => FlashcardsPaper.canonicalJSON(d)", document) == expected


@pytest.mark.parametrize("document", TRICKY)
def test_the_signature_is_the_contract_reference_signature(signer_page, document):
    token = hashlib.sha256(json.dumps(document).encode()).hexdigest()
    signed = dict(document, signature="ignored: the signature never signs itself")
    got = signer_page.evaluate("([d, t]) => FlashcardsPaper.signature(d, t)", [signed, token])
    assert got == reference_signature(signed, token)


def test_web_crypto_agrees_on_a_file_url(signer_page):
    # Chromium offers Web Crypto on file:// pages; the page does not rely on it (see page.js),
    # but the two must agree.
    key, data, expected = RFC_4231[1]
    got = signer_page.evaluate("""async ([k, d]) => {
        const raw = Uint8Array.from(k.match(/../g).map(h => parseInt(h, 16)));
        const key = await crypto.subtle.importKey('raw', raw, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);
        const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, Uint8Array.from(d)));
        return Array.from(mac, b => b.toString(16).padStart(2, '0')).join('');
    }""", [key, list(data)])
    assert got == expected


# ---- Taking a paper --------------------------------------------------------------------

def test_take_a_paper_reload_midway_finish_and_download(tab, tmp_path):
    paper = make_paper()
    questions = paper["questions"]
    t = tab()
    page = t.open(page_file(tmp_path, paper))

    assert text(page, "#start-title") == paper["quiz"]["title"]
    assert text(page, "#fact-learner") == paper["learner"]["name"]
    assert [text(page, f"#fact-{f}") for f in ("count", "pass", "time", "attempts")] == \
           ["4", "80%", "10 minutes", "2"]
    assert page.title() == f"{paper['quiz']['title']} \u00b7 {paper['learner']['name']}"
    assert page.locator("#screen-question").is_hidden()
    shot(page, "start")

    page.get_by_role("button", name="Start").click()
    assert text(page, "#question-heading") == "Question 1 of 4"
    assert page.evaluate("document.activeElement.id") == "question-heading"
    assert re.fullmatch(r"Time left (10:00|9:5\d)", text(page, "#clock"))
    # Question 1 by keyboard only: into the radio group, down to B, on to Next.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # Previous is disabled on the first question
    assert page.evaluate("document.activeElement.id") == "next"
    page.keyboard.press("Enter")

    # Question 2 holds markup and a script end tag: shown as text, never run.
    assert text(page, "#question-prompt") == questions[1]["prompt"]
    assert page.evaluate("window.pwned") is None
    choose(page, questions[1], 1)
    shot(page, "question")
    page.get_by_role("button", name="Next").click()
    assert text(page, "#progress") == "2 of 4 answered"

    page.reload()
    assert text(page, "#question-heading") == "Question 3 of 4"
    assert text(page, "#progress") == "2 of 4 answered"
    page.get_by_role("button", name="Previous").click()
    assert page.get_by_role("radio", name=questions[1]["options"][1]["text"], exact=True).is_checked()
    page.get_by_role("button", name="Previous").click()
    assert page.get_by_role("radio", name=questions[0]["options"][1]["text"], exact=True).is_checked()

    page.get_by_role("button", name="Review all answers").click()
    page.get_by_role("button", name="Change the answer to question 3").click()
    assert text(page, "#question-heading") == "Question 3 of 4"
    choose(page, questions[2], 2)
    page.get_by_role("button", name="Next").click()
    choose(page, questions[3], 3)
    page.get_by_role("button", name="Review answers").click()

    assert text(page, "#review-heading") == "Review your answers"
    assert re.fullmatch(r"Time left \d+:\d\d", text(page, "#clock"))
    assert page.locator("#bar").is_visible()
    answers_shown = page.locator("#review-list .answer").all_text_contents()
    assert answers_shown == [f"{'BBCD'[n]}. {q['options'][[1, 1, 2, 3][n]]['text']}" for n, q in enumerate(questions)]
    shot(page, "review")
    page.get_by_role("button", name="Finish and sign").click()

    assert text(page, "#finish-heading") == "Your answers are signed and ready to send"
    assert text(page, "#announce") == "Your answers are signed."
    assert page.locator("#bar").is_hidden()
    shot(page, "finish")
    answers, path = download_answers(page, tmp_path)
    assert path.name == "lesson-4-cert-ab12cd--zoe-obrien.answers.json"

    assert answers["signature"] == reference_signature(answers, paper["token"])
    assert {k: answers[k] for k in ("format", "quiz", "paper", "learner", "name", "client")} == {
        "format": "flashcards-answers/2", "quiz": paper["quiz"]["id"], "paper": paper["paper"],
        "learner": "zoe-obrien", "name": paper["learner"]["name"], "client": "browser"}
    assert {q: a["choice"] for q, a in answers["answers"].items()} == {
        q["id"]: q["options"][n]["id"] for q, n in zip(questions, [1, 1, 2, 3])}
    started = datetime.fromisoformat(answers["started_at"])
    finished = datetime.fromisoformat(answers["finished_at"])
    assert started.utcoffset() is not None and abs(datetime.now(timezone.utc) - finished).total_seconds() < 120
    for answer in answers["answers"].values():
        assert started <= datetime.fromisoformat(answer["at"]) <= finished
    assert decode_block(page.input_value("#answers-block")) == answers
    t.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the block").click()
    expect(page.locator("#announce")).to_have_text("The block is copied. Paste it into your e-mail.")
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#answers-block")

    # The finished attempt survives a reload unchanged; nothing can be answered any more.
    block = page.input_value("#answers-block")
    page.reload()
    assert page.input_value("#answers-block") == block
    assert page.locator("#screen-question").is_hidden() and page.locator("#screen-review").is_hidden()


def test_an_edited_download_no_longer_matches_its_signature(tab, tmp_path):
    paper = make_paper(questions=2)
    page = tab().open(page_file(tmp_path, paper))
    page.get_by_role("button", name="Start").click()
    choose(page, paper["questions"][0], 0)
    page.get_by_role("button", name="Review all answers").click()
    page.get_by_role("button", name="Finish and sign").click()
    answers, _ = download_answers(page, tmp_path)
    assert answers["answers"]["q02"] == {"choice": None, "at": None}
    assert answers["signature"] == reference_signature(answers, paper["token"])
    answers["answers"]["q02"] = {"choice": paper["questions"][1]["options"][0]["id"], "at": answers["finished_at"]}
    assert answers["signature"] != reference_signature(answers, paper["token"])
    other_token = make_paper()["token"]
    assert not hmac.compare_digest(answers["signature"], reference_signature(answers, other_token))


def test_the_clock_runs_out_on_the_review_screen(tab, tmp_path):
    paper = make_paper(time_limit_seconds=120)
    questions = paper["questions"]
    t = tab()
    t.page.clock.install(time=datetime(2026, 11, 23, 10, 0, 0, tzinfo=timezone.utc))
    page = t.open(page_file(tmp_path, paper))
    assert text(page, "#fact-time") == "2 minutes"
    page.get_by_role("button", name="Start").click()
    choose(page, questions[0], 0)
    page.clock.fast_forward("00:20")
    page.get_by_role("button", name="Next").click()
    choose(page, questions[1], 3)
    page.get_by_role("button", name="Review all answers").click()
    page.clock.fast_forward("00:15")
    assert re.fullmatch(r"Time left 1:2[45]", text(page, "#clock"))
    assert text(page, "#announce") == ""
    page.clock.fast_forward("00:30")
    assert re.fullmatch(r"Time left 0:5[45]", text(page, "#clock"))
    assert text(page, "#announce") == "1 minute left."

    page.clock.fast_forward("01:00")  # past the limit, with the review screen still open
    assert text(page, "#finish-heading") == "Time is up: your answers are signed"
    assert text(page, "#announce") == "Time is up. Your answers are signed."
    shot(page, "time-up")
    answers, _ = download_answers(page, tmp_path)
    assert answers["signature"] == reference_signature(answers, paper["token"])
    started = datetime.fromisoformat(answers["started_at"])
    assert answers["started_at"].startswith("2026-11-23T10:00:0")
    assert (datetime.fromisoformat(answers["finished_at"]) - started).total_seconds() >= 120
    given = {q: a["choice"] for q, a in answers["answers"].items()}
    assert given == {"q01": questions[0]["options"][0]["id"], "q02": questions[1]["options"][3]["id"],
                     "q03": None, "q04": None}
    assert all((datetime.fromisoformat(a["at"]) - started).total_seconds() <= 120
               for a in answers["answers"].values() if a["at"])


def test_a_tab_reopened_after_the_deadline_finishes_with_the_answers_given(tab, tmp_path):
    paper = make_paper(time_limit_seconds=60)
    t = tab()
    t.page.clock.install(time=datetime(2026, 11, 23, 10, 0, 0, tzinfo=timezone.utc))
    page = t.open(page_file(tmp_path, paper))
    page.get_by_role("button", name="Start").click()
    choose(page, paper["questions"][0], 2)
    page.clock.pause_at(datetime(2026, 11, 23, 10, 5, 0, tzinfo=timezone.utc))
    page.reload()
    assert text(page, "#finish-heading") == "Time is up: your answers are signed"
    answers = decode_block(page.input_value("#answers-block"))
    assert answers["answers"]["q01"]["choice"] == paper["questions"][0]["options"][2]["id"]
    assert answers["finished_at"] == "2026-11-23T10:05:00+00:00"


def test_two_tabs_on_one_paper_share_the_answers(tab, tmp_path):
    paper = make_paper()
    t = tab()
    first = t.open(page_file(tmp_path, paper))
    first.get_by_role("button", name="Start").click()
    second = t.context.new_page()
    second.goto(t.url)
    assert text(second, "#question-heading") == "Question 1 of 4"
    choose(second, paper["questions"][0], 3)
    # The first tab follows: its own next save keeps the answer given in the second.
    # (the storage event reaches it asynchronously: wait for it, up to Playwright's timeout)
    expect(first.get_by_role("radio", name=paper["questions"][0]["options"][3]["text"], exact=True)).to_be_checked()
    first.get_by_role("button", name="Next").click()
    choose(first, paper["questions"][1], 0)
    first.get_by_role("button", name="Review all answers").click()
    assert text(first, "#progress") == "2 of 4 answered"


def test_without_a_time_limit_the_bar_says_so(tab, tmp_path):
    page = tab().open(page_file(tmp_path, make_paper(time_limit_seconds=None)))
    assert text(page, "#fact-time") == "none"
    page.get_by_role("button", name="Start").click()
    assert text(page, "#clock") == "No time limit"


# ---- Phone width, keyboard, screen readers ------------------------------------------

def screens(page, paper):
    """Walk start, a question, the review and the finish screen, yielding each one's name."""
    yield "start"
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Next").click()  # question 2: the longest text
    yield "question"
    page.get_by_role("button", name="Review all answers").click()
    yield "review"
    page.get_by_role("button", name="Finish and sign").click()
    yield "finish"


def test_at_360_px_nothing_scrolls_sideways(tab, tmp_path):
    paper = make_paper()
    paper["questions"][1]["options"][2]["text"] = "https://example.invalid/" + "a-very-long-unbroken-word" * 8
    paper["questions"][0]["options"][0]["text"] = "W" * 300
    page = tab(PHONE).open(page_file(tmp_path, paper))
    choose_first = True
    for name in screens(page, paper):
        if name == "question" and choose_first:
            choose(page, paper["questions"][1], 1)
        width = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
        assert width[0] <= width[2] and width[1] <= width[2], (name, width)
        shot(page, f"phone-{name}")


def tab_stops(page, presses: int) -> list[str]:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => {
            const e = document.activeElement;
            return e.type === 'radio' ? 'radio-group:' + e.name : (e.id || e.tagName);
        }"""))
    return seen


def controls(page) -> set[str]:
    return set(page.evaluate("""() => Array.from(
        document.querySelectorAll('button, input, textarea, select, a[href], [tabindex]:not([tabindex="-1"])'))
        .filter(e => !e.disabled && e.getClientRects().length > 0)
        .map(e => e.type === 'radio' ? 'radio-group:' + e.name : (e.id || e.outerHTML))"""))


def test_every_control_is_reachable_by_tab(tab, tmp_path):
    paper = make_paper()
    page = tab().open(page_file(tmp_path, paper))
    for name in screens(page, paper):
        expected = controls(page)
        if name == "review":  # the Change buttons have no ids: count them instead
            changes = page.get_by_role("button", name=re.compile("^Change the answer")).count()
            assert changes == len(paper["questions"])
            expected = {e for e in expected if e.startswith(("back-", "finish"))}
        reached = set(tab_stops(page, 2 * len(controls(page)) + 4))
        assert expected <= reached, (name, expected - reached)
        if name == "question":
            # A radio group is one Tab stop; the arrow keys then reach every option.
            page.get_by_role("radio").first.focus()
            checked = []
            for _ in paper["questions"][1]["options"]:
                page.keyboard.press("ArrowDown")
                checked.append(page.evaluate("document.querySelector('input[name=choice]:checked').value"))
            assert sorted(checked) == sorted(o["id"] for o in paper["questions"][1]["options"])
        if name == "review":
            stops = tab_stops(page, 2 * len(paper["questions"]) + 8)
            assert stops.count("BUTTON") >= len(paper["questions"])


def test_focus_is_visible(tab, tmp_path):
    page = tab().open(page_file(tmp_path, make_paper()))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "start"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                         "getComputedStyle(document.activeElement).outlineWidth")
    assert ring == "solid 3px"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # onto the radio group: its whole option box gets the ring
    ring = page.evaluate("getComputedStyle(document.activeElement.closest('label')).outlineStyle")
    assert ring == "solid"


def test_screen_readers_get_groups_labels_and_few_announcements(tab, tmp_path):
    paper = make_paper()
    page = tab().open(page_file(tmp_path, paper))
    assert page.get_by_role("heading", level=1).text_content() == paper["quiz"]["title"]
    page.get_by_role("button", name="Start").click()
    question = paper["questions"][0]
    group = page.get_by_role("group", name=question["prompt"])
    assert group.count() == 1
    for option in question["options"]:  # each radio is named by its label's text alone
        assert group.get_by_role("radio", name=option["text"], exact=True).count() == 1
    # The ticking clock is not a live region (it would talk every second); one polite region
    # announces the 5- and 1-minute marks and the end.
    assert page.get_attribute("#clock", "role") == "timer"
    assert page.get_attribute("#clock", "aria-live") is None
    assert page.locator("[aria-live]").count() == 1
    assert page.get_attribute("[aria-live]", "aria-live") == "polite"
