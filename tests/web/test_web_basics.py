"""In-process tests of the web shell: headers, sign-in, CSRF, uploads, jobs, tokens."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

from fastapi.testclient import TestClient

from .conftest import EXAMPLES, csrf_of, sign_in


def test_web_security_headers_on_every_page(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_web_pages_redirect_to_sign_in_and_api_answers_401(client: TestClient) -> None:
    assert client.get("/upload", follow_redirects=False).headers["location"] == "/login"
    r = client.get("/api/factors")
    assert r.status_code == 401
    assert r.json()["errors"][0]["message"]


def test_web_sign_in_wrong_password_then_right(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    bad = client.post(
        "/login", data={"email": "ed@maker.example", "password": "nope", "csrf_token": token}
    )
    assert bad.status_code == 401
    assert "密码不正确" in bad.text
    sign_in(client, "ed@maker.example", "pw-maker-1")
    home = client.get("/")
    assert home.status_code == 200 and "ed@maker.example" in home.text
    session = next(c for c in client.cookies.jar if c.name == "tzj_session")
    assert session.has_nonstandard_attr("HttpOnly")


def test_web_form_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"email": "ed@maker.example", "password": "pw-maker-1"})
    assert r.status_code == 403
    r = client.post(
        "/login",
        data={"email": "ed@maker.example", "password": "pw-maker-1", "csrf_token": "forged"},
    )
    assert r.status_code == 403


def test_web_login_is_rate_limited(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    codes = [
        client.post(
            "/login", data={"email": "ed@maker.example", "password": "x", "csrf_token": token}
        ).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # even the right password is refused while the window lasts
    r = client.post(
        "/login", data={"email": "ed@maker.example", "password": "pw-maker-1", "csrf_token": token}
    )
    assert r.status_code == 429


def test_web_language_switch_sticks(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    assert "登录" in client.get("/login").text
    r = client.post("/lang", data={"lang": "en", "back": "/login", "csrf_token": token})
    assert r.status_code == 200 and "Sign in" in r.text and "登录" not in r.text
    assert "Sign in" in client.get("/login").text
    # no open redirect through the language switch
    r = client.post(
        "/lang",
        data={"lang": "zh", "back": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def _basic(cid: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{cid}:{secret}".encode()).decode()}


def test_web_client_credentials_token(client: TestClient) -> None:
    r = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic("maker-client", "bad"),
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert r.headers["www-authenticate"].startswith("Basic")
    r = client.post("/auth/token", data={"grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic("maker-client", "s3cret-maker"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    found = client.get("/api/factors", params={"q": "electricity"}, headers=auth)
    assert found.status_code == 200 and isinstance(found.json(), list)
    # a tampered token is refused
    bad = {"Authorization": f"Bearer {body['access_token'][:-2]}xx"}
    assert client.get("/api/factors", headers=bad).status_code == 401


def test_web_upload_workbook_shows_table_a8(client: TestClient) -> None:
    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    data = (EXAMPLES / "single-phase-meter" / "study.xlsx").read_bytes()
    r = client.post(
        "/upload",
        files={"file": ("study.xlsx", data)},
        data={"csrf_token": token},
    )
    assert r.status_code == 200
    assert 'id="table-a8"' in r.text and "原材料获取" in r.text


def test_web_api_evaluate_yaml_matches_the_cli(client: TestClient) -> None:
    from tanzuji.studyfiles import evaluate_file

    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    path = EXAMPLES / "single-phase-meter" / "study.yaml"
    r = client.post(
        "/api/evaluate",
        files={"file": ("study.yaml", path.read_bytes())},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    # the same study through the file-based path the CLI uses (a second route to the number)
    _, expected = evaluate_file(path)
    assert r.json()["total"]["value"] == expected.total.value


def test_web_api_broken_yaml_names_the_field(client: TestClient) -> None:
    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    text = (EXAMPLES / "single-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    broken = text.replace("functional_unit:", "functional_unit_typo:", 1)
    r = client.post(
        "/api/evaluate",
        files={"file": ("mine.yaml", broken.encode())},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert any(e.get("file") == "mine.yaml" for e in errors)
    assert any("functional_unit" in (e.get("path") or "") for e in errors)


def test_web_upload_refuses_other_files_and_big_ones(client: TestClient) -> None:
    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    r = client.post(
        "/api/evaluate", files={"file": ("x.exe", b"MZ")}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 422 and "xlsx" in r.json()["errors"][0]["message"]
    big = b"a" * (10 * 1024 * 1024 + 10)
    r = client.post(
        "/api/evaluate", files={"file": ("s.yaml", big)}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 413


def test_web_monte_carlo_job_progress_and_isolation(client: TestClient) -> None:
    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    path = EXAMPLES / "single-phase-meter" / "study.yaml"
    r = client.post(
        "/api/evaluate/monte-carlo",
        files={"file": ("study.yaml", path.read_bytes())},
        data={"seed": "7", "trials": "20000"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    deadline = time.monotonic() + 120
    while True:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["state"] in {"done", "failed"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert j["state"] == "done", j
    assert j["done"] == 20000 and j["fraction"] == 1.0
    mc = j["result"]["monte_carlo"]
    assert mc["trials"] == 20000 and mc["seed"] == 7
    # the Monte Carlo mean agrees with the JJF total within a few standard uncertainties
    total = j["result"]["total"]
    assert abs(mc["value"] - total["value"]) < 3 * mc["u"]
    # another organisation's user cannot see the job
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "eva@lab.example", "pw-lab-1")
    assert client.get(f"/api/jobs/{job_id}").status_code == 404


def test_web_bearer_org_for_the_pact_router(client: TestClient) -> None:
    """The PACT API accepts the platform's access tokens through ``AppState.bearer_org``."""
    r = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic("maker-client", "s3cret-maker"),
    )
    state = client.app.state.tz  # type: ignore[attr-defined]
    assert state.bearer_org(r.json()["access_token"]) == "maker"
    assert state.bearer_org("not-a-token") is None
    session = state.tokens.issue({"sub": "user:ed@maker.example"}, kind="session", minutes=5)
    assert state.bearer_org(session) is None  # a session cookie is not an access token


def test_web_request_body_limit_applies_before_parsing(client: TestClient) -> None:
    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    huge = b"a" * (32 * 1024 * 1024)
    r = client.post(
        "/api/evaluate", files={"file": ("s.yaml", huge)}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="s.yaml"\r\n\r\n'
        for _ in range(40):
            yield b"b" * (1024 * 1024)

    r = client.post(
        "/api/evaluate",
        content=chunks(),
        headers={"X-CSRF-Token": token, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 413
