"""The quiz server refuses what it must: forged cookies, revoked links, POSTs without their CSRF token,
floods of bad sign-ins, oversized bodies; it sends its security headers on every response, never a
stack trace, and never a raw control, bidi or zero-width character."""

from __future__ import annotations

import warnings

import pytest
from conftest import rows
from servekit import DAY, Clock, LearnerClient, manager_db, manager_token

from flashcards.quiz.server import ServeSettings, create_app
from flashcards.quiz.server.security import CSP, RateLimiter, sign
from flashcards.store import Store
from flashcards.store.sittings import SittingStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def db(tmp_path):
    return tmp_path / "manager.db"


@pytest.fixture
def setup(db):
    quiz, tokens = manager_db(db, learners=2)
    return quiz, tokens


def app_for(db, **settings):
    return create_app(db, ServeSettings(today=DAY, **settings), clock=Clock())


def secret(db):
    with Store.open(db) as store:
        return SittingStore(store).secret("cookie", now=Clock()())


def test_a_forged_cookie_is_refused(db, setup):
    with TestClient(app_for(db)) as client:
        for value in ["garbage", "abc.def", sign(b"not the server's secret", "session", "x" * 43),
                      sign(secret(db), "session", "a-session-id-the-server-never-made")]:
            client.cookies.set("flash_session", value)
            response = client.get("/q/cert-1/")
            assert response.status_code == 403 and "You are not signed in" in response.text
    assert rows(db, "SELECT COUNT(*) FROM quiz_sittings") == [(0,)]


def test_a_revoked_link_signs_nobody_in_and_ends_its_sessions(db, setup):
    _, tokens = setup
    with TestClient(app_for(db)) as client:
        ann = LearnerClient(client, tokens["learner-01"])
        assert ann.page().status == 200
        with Store.open(db) as store:  # the manager revokes it from another process meanwhile
            assert SittingStore(store).revoke("cert-1", "learner-01", now=Clock()()) == 1
        assert ann.page().status == 403  # the open session ended with its link
        again = LearnerClient(client)
        assert again.get(f"/i/{tokens['learner-01']}").status == 404
        assert LearnerClient(client, tokens["learner-02"]).page().status == 200  # the others' links still work


def test_a_post_without_its_csrf_token_changes_nothing(db, setup):
    _, tokens = setup
    with TestClient(app_for(db)) as client:
        ann = LearnerClient(client, tokens["learner-01"])
        bob = LearnerClient(client, tokens["learner-02"])
        bobs_token = bob.page().field("csrf")
        for data in [{}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": bobs_token}]:
            assert ann.post("/q/cert-1/start", data).status == 403
        assert rows(db, "SELECT COUNT(*) FROM quiz_sittings") == [(0,)]
        page = ann.start()
        for data in [{"position": "0", "choice": page.options[0][0]},
                     {"csrf": bobs_token, "position": "0", "choice": page.options[0][0]}]:
            refused = ann.post("/q/cert-1/answer", data)
            assert refused.status == 403 and "did not come from this site" in refused.text
        assert rows(db, "SELECT COUNT(*) FROM quiz_sitting_answers WHERE outcome IS NOT NULL") == [(0,)]
        json_post = ann.request("POST", "/q/cert-1/answer", json={"csrf": page.field("csrf")})
        assert json_post.status_code == 415
        manager = LearnerClient(client)
        manager.get(f"/manage/{manager_token(db)}")
        assert manager.post("/manage/q/cert-1/void", {"learner": "learner-01"}).status == 403


def test_a_thousand_bad_sign_ins_are_refused_and_rate_limited(db, setup):
    _, tokens = setup
    with TestClient(app_for(db)) as client:
        statuses = [client.get(f"/i/guess-{n:04d}-{'x' * 30}").status_code for n in range(1000)]
        assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}
        assert client.get(f"/i/{tokens['learner-01']}").status_code == 429  # even a good link, from there
        assert client.get(f"/manage/{'m' * 43}").status_code == 429
    with TestClient(app_for(db), client=("203.0.113.9", 5000)) as elsewhere:
        assert LearnerClient(elsewhere, tokens["learner-01"]).page().status == 200
    assert rows(db, "SELECT COUNT(*) FROM quiz_sessions") == [(1,)]


def test_the_rate_limiter_remembers_a_bounded_number_of_addresses():
    now = [0.0]
    limiter = RateLimiter(limit=3, window=60, max_addresses=100, clock=lambda: now[0])
    for n in range(10_000):
        limiter.fail(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100
    for _ in range(3):
        limiter.fail("198.51.100.1")
    assert limiter.blocked("198.51.100.1") and not limiter.blocked("198.51.100.2")
    now[0] = 61
    assert not limiter.blocked("198.51.100.1")


def test_security_headers_on_every_response_and_no_stack_trace(db, setup):
    _, tokens = setup
    app = app_for(db)

    async def boom(request):
        raise RuntimeError("secret detail /work/flashcards/quiz/server/app.py line 12")

    app.add_route("/boom", boom)
    with TestClient(app) as client:
        ann = LearnerClient(client, tokens["learner-01"])
        responses = [ann.request("GET", "/q/cert-1/"), client.get("/"), client.get("/no-such-page"),
                     client.get("/static/site.css"), client.get("/boom"), client.post("/q/cert-1/start")]
        for response in responses:
            assert response.headers["content-security-policy"] == CSP
            assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert "Traceback" not in response.text and "secret detail" not in response.text
        assert responses[4].status_code == 500 and "Something went wrong" in responses[4].text
        assert responses[0].headers["cache-control"] == "no-store"
        assert "<script>" not in responses[0].text.replace('<script src="/static/sitting.js" defer></script>', "")


def test_request_bodies_are_bounded(db, setup):
    _, tokens = setup
    with TestClient(app_for(db)) as client:
        ann = LearnerClient(client, tokens["learner-01"])
        csrf = ann.page().field("csrf")
        big = ann.request("POST", "/q/cert-1/start", content=b"csrf=" + csrf.encode() + b"&x=" + b"a" * 20_000,
                          headers={"content-type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413
        streamed = ann.request("POST", "/q/cert-1/start", content=iter([b"a" * 10_000] * 3),
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert streamed.status_code == 413
    assert rows(db, "SELECT COUNT(*) FROM quiz_sittings") == [(0,)]


def test_hostile_text_is_escaped_and_neutralised(db, setup):
    _, tokens = setup
    hostile = "<script>alert(1)</script> \u202eevil\u202c Ann\u200b \x1b[31m"
    conn = __import__("sqlite3").connect(db)
    with conn:
        conn.execute("UPDATE roster SET name = ? WHERE id = 'learner-01'", (hostile,))
        conn.execute("UPDATE quiz_questions SET prompt = ? ", (hostile + " question?",))
    conn.close()
    with TestClient(app_for(db)) as client:
        ann = LearnerClient(client, tokens["learner-01"])
        for page in [ann.page(), ann.start()]:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
            for raw in ("<script>alert", "\u202e", "\u202c", "\u200b", "\x1b"):
                assert raw not in page.html


def test_secure_cookies_behind_https(db, setup):
    _, tokens = setup
    with TestClient(app_for(db), base_url="https://quiz.example.com") as client:
        response = client.get(f"/i/{tokens['learner-01']}", follow_redirects=False)
        assert "Secure" in response.headers["set-cookie"]


def test_the_trusted_header_signs_in_by_the_rosters_email(db, setup):
    settings = {"trust_header": "X-Forwarded-Email", "managers": ("boss@example.com",)}
    with TestClient(app_for(db, **settings)) as client:
        page = client.get("/q/cert-1/", headers={"X-Forwarded-Email": "Learner02@example.com"})
        assert page.status_code == 200 and "Learner 02" in page.text
        assert client.get("/q/cert-1/", headers={"X-Forwarded-Email": "stranger@example.com"}).status_code == 403
        assert client.get("/q/cert-1/").status_code == 403
        assert client.get("/manage/q/cert-1/", headers={"X-Forwarded-Email": "boss@example.com"}).status_code == 200
        assert client.get("/manage/q/cert-1/",
                          headers={"X-Forwarded-Email": "learner02@example.com"}).status_code == 403
