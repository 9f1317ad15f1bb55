"""A served sitting by keyboard only, as a screen reader meets it, at 360 px wide.

A real `flash quiz serve` (Uvicorn in a subprocess of the real CLI) and Debian's chromium driven by
Playwright: the learner signs in with their link and then uses only Tab, the arrow keys, Space and
Enter; no click, no focus() from the test. Every control has the name a screen reader reads out (the
question is the group's name, each option's text its radio's name), focus is always visible, and
nothing is wider than a 360 px phone. The screenshot is kept in the system's temporary folder.
"""

from __future__ import annotations

from browser_support import PHONE, SHOTS, browser_or_skip
from servekit import T0, manager_db
from test_serve_e2e import LiveServer, latest_key

from flashcards.store import Store
from flashcards.store.sittings import SittingStore

FOCUSED = "() => { const e = document.activeElement; return [e.tagName, e.type || '', e.id, e.textContent.trim()]; }"


def tab_to(page, wanted, limit: int = 12):
    """Press Tab until the focused element's text or id is ``wanted``; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        tag, kind, ident, text = page.evaluate(FOCUSED)
        if wanted in (text, ident) or (wanted == "radio" and kind == "radio"):
            return tag, kind, ident
    raise AssertionError(f"Tab never reached {wanted!r}")


def focus_is_visible(page) -> bool:
    return page.evaluate("() => { const e = document.activeElement; const s = getComputedStyle(e);"
                         " const box = e.closest('.option') || e;"
                         " return s.outlineStyle !== 'none' || getComputedStyle(box).outlineStyle !== 'none'; }")


def test_a_sitting_by_keyboard_only_with_screen_reader_names_at_360_px(tmp_path):
    db = tmp_path / "manager.db"
    quiz, _ = manager_db(db, learners=1, per_paper=4, question_seconds=120)
    manager, browser = browser_or_skip()
    server = LiveServer(["quiz", "serve", "--port", "0", "--db", str(db), "--today", "2026-12-01"], cwd=tmp_path,
                        env={})
    try:
        with Store.open(db) as store:
            sittings = SittingStore(store)
            [(_, token)] = sittings.invite("cert-1", sittings.quiz_learners("cert-1"), now=T0)
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server.base}/i/{token}")
        page.wait_for_url("**/q/cert-1/")
        assert page.get_by_role("button", name="Start the quiz").count() == 1
        tab_to(page, "Start the quiz")
        assert focus_is_visible(page)
        page.keyboard.press("Enter")
        page.wait_for_selector("legend.prompt")
        key = latest_key(db, "cert-1", "learner-01")
        SHOTS.mkdir(parents=True, exist_ok=True)
        for position in range(4):
            # what a screen reader announces: the question names the group, each option names its radio
            prompt = page.inner_text("legend.prompt")
            group = page.get_by_role("radiogroup", name=prompt).or_(page.get_by_role("group", name=prompt))
            assert group.count() == 1, prompt
            radios = page.locator("input[type=radio]")
            values = radios.evaluate_all("els => els.map(e => e.value)")
            for value in values:
                label = page.inner_text(f"label[for='o-{value}']")
                assert page.get_by_role("radio", name=label, exact=True).count() == 1, label
            assert page.get_by_role("timer").count() == 2  # the quiz's and the question's time left
            wanted = values.index(key[position]) if position < 3 else (values.index(key[position]) + 1) % 4
            tab_to(page, "radio")  # Tab enters the group on its first radio
            assert focus_is_visible(page)
            page.keyboard.press("Space")
            for _ in range(wanted):
                page.keyboard.press("ArrowDown")  # arrows move the choice within the group
            checked = radios.evaluate_all("els => els.findIndex(e => e.checked)")
            assert checked == wanted
            if position == 0:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
                page.screenshot(path=str(SHOTS / "served-question-keyboard-360.png"), full_page=True)
            tab_to(page, "Answer")
            assert focus_is_visible(page)
            page.keyboard.press("Enter")
            page.wait_for_selector("legend.prompt, p.result")
        assert "Passed: 3 of 4 (75%)" in page.inner_text("p.result")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(SHOTS / "served-result-keyboard-360.png"), full_page=True)
        assert errors == []
        context.close()
    finally:
        browser.close()
        manager.stop()
        server.stop()
        LiveServer.started.remove(server)
