"""The REST API over a real store (SQLite): upload, revisions, sharing, publishing, roles."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import EXAMPLES, csrf_of
from .storekit import (
    StoreWorld,
    authorise,
    issue_report,
    login,
    store_client,
    tiny_signed_pdf,
)


@pytest.fixture
def app_client(world: StoreWorld) -> Iterator[TestClient]:
    with store_client(world) as c:
        yield c


def upload(
    c: TestClient, token: str, name: str = "study.xlsx", example: str = "single-phase-meter"
) -> dict:  # type: ignore[type-arg]
    data = (EXAMPLES / example / name).read_bytes()
    r = c.post(
        "/api/studies",
        files={"file": (name, data)},
        data={"message": "first"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_web_store_sign_in_checks_the_argon2_hash(app_client: TestClient) -> None:
    token = csrf_of(app_client.get("/login").text)
    r = app_client.post(
        "/login", data={"email": "ed@maker.example", "password": "wrong", "csrf_token": token}
    )
    assert r.status_code == 401
    login(app_client, "ed@maker.example")
    me = app_client.get("/api/whoami").json()
    assert me == {
        "name": "ed@maker.example",
        "login": "ed@maker.example",
        "organisation": "maker",
        "role": "editor",
        "kind": "user",
    }


def test_web_store_client_credentials_act_as_the_organisation(
    app_client: TestClient, world: StoreWorld
) -> None:
    basic = base64.b64encode(f"{world.client_id}:{world.client_secret}".encode()).decode()
    r = app_client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200, r.text
    auth = {"Authorization": "Bearer " + r.json()["access_token"]}
    assert app_client.get("/api/whoami", headers=auth).json()["organisation"] == "maker"
    study = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
    saved = app_client.post("/api/studies", files={"file": ("s.yaml", study)}, headers=auth)
    assert saved.status_code == 201, saved.text


def test_web_store_upload_share_evaluate_publish(
    app_client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    c = app_client
    token = login(c, "ed@maker.example")
    saved = upload(c, token)
    rev = saved["revision"]
    assert saved["created"] is True
    products = c.get("/api/products").json()
    assert [p["studies"][0]["head"] for p in products] == [rev]
    # a viewer may read but not upload
    token = login(c, "view@maker.example")
    assert c.get(f"/api/revisions/{rev}").status_code == 200
    data = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
    r = c.post("/api/studies", files={"file": ("s.yaml", data)}, headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    # the institute cannot see the revision before it is shared, then can
    token = login(c, "eva@lab.example")
    assert c.get(f"/api/revisions/{rev}").status_code == 404
    token = login(c, "ed@maker.example")
    r = c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    token = login(c, "eva@lab.example")
    view = c.get(f"/api/revisions/{rev}")
    assert view.status_code == 200 and view.json()["revision"]["id"] == rev
    assert [s["revision"] for s in c.get("/api/shared").json()] == [rev]
    ev = c.post(
        f"/api/revisions/{rev}/evaluations",
        data={"method": "full"},
        headers={"X-CSRF-Token": token},
    )
    assert ev.status_code == 201, ev.text
    # ...but another manufacturer still cannot
    login(c, "ed@rival.example")
    assert c.get(f"/api/revisions/{rev}").status_code == 404
    # publishing needs an issued report
    token = login(c, "ed@maker.example")
    r = c.post(f"/api/revisions/{rev}/publications", headers={"X-CSRF-Token": token})
    assert r.status_code == 409, r.text
    pdf = tiny_signed_pdf(tmp_path)
    number = issue_report(world.store, "lab", "eva@lab.example", rev, pdf)
    r = c.post(f"/api/revisions/{rev}/publications", headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    pub = r.json()
    # the study's reference period is 2025: valid until the end of 2025 + 3 years
    assert pub["valid_until"] == "2028-12-31" and pub["report"] == number
    # the public page, without sign-in
    c.cookies.clear()
    page = c.get(f"/p/{pub['publication']}")
    assert page.status_code == 200
    assert number in page.text and "lab" in page.text and "2028-12-31" in page.text
    assert "签名报告完好有效" in page.text
    # the verify page finds the publication from the PDF
    v = c.post("/api/verify", files={"file": ("r.pdf", pdf)}).json()
    assert v["ok"] is True and v["publication"] == f"/p/{pub['publication']}"
    # the authority finds it in the registry
    login(c, "auth@gov.example")
    found = c.get("/api/registry", params={"q": "单相"}).json()
    assert [f["publication"] for f in found] == [pub["publication"]]
    csv_text = c.get("/registry.csv").content.decode("utf-8")
    assert csv_text.startswith("\ufeff生产者,产品") and number in csv_text
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(c.get("/registry.xlsx").content))
    rows = list(wb.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "生产者" and rows[1][8] == number
    # the maker's administrator sees the trail of it all
    login(c, "admin@maker.example")
    actions = [e["action"] for e in c.get("/api/audit").json()]
    assert "footprint.publish" in actions and "revision.share" in actions
    login(c, "ed@maker.example")
    assert c.get("/api/audit").status_code == 403


def test_web_store_broken_workbook_names_the_cell(app_client: TestClient, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(EXAMPLES / "single-phase-meter" / "study.xlsx")
    wb["A.3 原材料获取"]["E5"] = "一点六"
    wb.save(tmp_path / "b.xlsx")
    token = login(app_client, "ed@maker.example")
    r = app_client.post(
        "/api/studies",
        files={"file": ("我的研究.xlsx", (tmp_path / "b.xlsx").read_bytes())},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422
    (e,) = r.json()["errors"]
    assert (e["file"], e["sheet"], e["row"]) == ("我的研究.xlsx", "A.3 原材料获取", 5)
    assert "(E)" in e["column"]


def test_web_store_evaluator_issues_signs_and_maker_publishes(
    app_client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    """The institute's evaluator issues a signed report for a shared revision with their
    own PKCS#12; the number comes from the database; the manufacturer downloads it and
    publishes the footprint; the public page verifies the signature."""
    from .storekit import make_p12

    c = app_client
    token = login(c, "ed@maker.example")
    rev = upload(c, token, name="study.yaml")["revision"]
    c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": token})
    authorise(world.store, "lab", "eva@lab.example", rev, reviewer="admin@lab.example")
    token = login(c, "eva@lab.example")
    p12 = make_p12(tmp_path / "k", "eva@lab.example", "s3cret passphrase", "lab")
    wrong = c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("eva.p12", p12)},
        data={"passphrase": "wrong", "signer_override": "test"},
        headers={"X-CSRF-Token": token},
    )
    assert wrong.status_code == 422 and "PKCS#12" in wrong.text
    # the study names another evaluator (王五): refused without an override reason
    refused = c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("eva.p12", p12)},
        data={"passphrase": "s3cret passphrase"},
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 422 and "王五" in refused.text
    # someone else's certificate is refused even with the right passphrase
    other = make_p12(tmp_path / "o", "mallory@lab.example", "pw", "lab")
    r = c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("m.p12", other)},
        data={"passphrase": "pw", "signer_override": "test"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422 and "mallory" in r.text
    issued = c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("eva.p12", p12)},
        data={"passphrase": "s3cret passphrase", "signer_override": "signing for the lab"},
        headers={"X-CSRF-Token": token},
    )
    assert issued.status_code == 201, issued.text
    out = issued.json()
    assert out["signed"] is True and out["number"] == "2025-00001"  # first of the period's year
    # the manufacturer downloads the report its institute issued, and publishes
    token = login(c, "ed@maker.example")
    pdf = c.get(f"/api/reports/{out['number']}/zh.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == out["pdf_sha256"]
    pub = c.post(f"/api/revisions/{rev}/publications", headers={"X-CSRF-Token": token}).json()
    c.cookies.clear()
    page = c.get(f"/p/{pub['publication']}").text
    assert out["number"] in page and "签名报告完好有效" in page
    # a third organisation cannot download it
    login(c, "ed@rival.example")
    assert c.get(f"/api/reports/{out['number']}/zh.pdf").status_code == 404


def test_web_store_monte_carlo_on_a_revision_reports_progress_and_is_stored(
    app_client: TestClient,
) -> None:
    import time

    c = app_client
    token = login(c, "ed@maker.example")
    rev = upload(c, token, name="study.yaml")["revision"]
    r = c.post(
        f"/api/revisions/{rev}/evaluations",
        data={"method": "mc", "trials": "20000", "seed": "3"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    deadline = time.monotonic() + 180
    while (j := c.get(f"/api/jobs/{job}").json())["state"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert j["state"] == "done", j
    assert j["done"] == 20000  # the trials drawn, reported while running
    stored = c.get(f"/api/revisions/{rev}").json()["evaluations"]
    mc = [e for e in stored if e["method"] == "mc"]
    assert len(mc) == 1 and mc[0]["mc_trials"] == 20000 and mc[0]["mc_seed"] == 3


def test_web_store_gate_needs_each_error_accepted_with_a_reason(
    app_client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    """A study whose meter certificate does not cover the period: check has an error, the
    report is refused until that finding is accepted by id with a reason; the acceptance is
    in the outcome and in the audit trail; the study page lists the finding."""
    from .storekit import make_p12

    c = app_client
    text = (EXAMPLES / "single-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    expired = text.replace(
        "date: 2024-12-20, valid_until: 2026-12-19", "date: 2023-12-20, valid_until: 2024-06-19"
    )
    assert expired != text
    token = login(c, "ed@maker.example")
    r = c.post(
        "/api/studies",
        files={"file": ("expired.yaml", expired.encode())},
        headers={"X-CSRF-Token": token},
    )
    rev = r.json()["revision"]
    c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": token})
    authorise(world.store, "lab", "eva@lab.example", rev, reviewer="admin@lab.example")
    token = login(c, "eva@lab.example")
    finding = "CERTIFICATE_NOT_COVERING:JD-EM-2025-0107"
    assert finding in c.get(f"/revisions/{rev}").text
    assert finding in c.get(f"/revisions/{rev}/issue").text
    p12 = make_p12(tmp_path / "k", "eva@lab.example", "pw", "lab")
    base = {"passphrase": "pw", "signer_override": "lab signs"}
    refused = c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("k.p12", p12)},
        data=base,
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 422 and finding in refused.text
    ok = c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("k.p12", p12)},
        data={**base, "accept": finding, "reason": "meter re-verified on 2025-01-03"},
        headers={"X-CSRF-Token": token},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["accepted"] == [finding]
    # the refused attempt used no number
    assert ok.json()["number"] == "2025-00001"
    login(c, "admin@lab.example")  # the institute's audit trail holds the acknowledgement
    entries = c.get("/api/audit").json()
    accepted = [e for e in entries if e["action"] == "report.accept_finding"]
    assert len(accepted) == 1 and finding in accepted[0]["object_id"]
    assert "re-verified" in accepted[0]["object_id"]


def test_web_store_diff_names_the_changed_activity(app_client: TestClient) -> None:
    c = app_client
    token = login(c, "ed@maker.example")
    text = (EXAMPLES / "single-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    first = c.post(
        "/api/studies", files={"file": ("s.yaml", text.encode())}, headers={"X-CSRF-Token": token}
    ).json()
    # the chip resistors' quantity 0.0012 kg becomes 0.0024 kg
    assert text.count("0.0012") >= 1
    second = c.post(
        "/api/studies",
        files={"file": ("s.yaml", text.replace("0.0012", "0.0024", 1).encode())},
        headers={"X-CSRF-Token": token},
    ).json()
    assert second["parent"] == first["revision"]
    d = c.get("/api/diff", params={"a": first["revision"], "b": second["revision"]}).json()
    (changed,) = d["activities"]["changed"]
    assert any(f["old"] == 0.0012 and f["new"] == 0.0024 for f in changed["fields"])
    # the change of the total is the change of the stages (formula (1): a sum)
    assert abs(d["total"]["delta"] - sum(s["delta"] for s in d["stages"])) < 1e-12
    page = c.get("/diff", params={"a": first["revision"], "b": second["revision"]})
    assert page.status_code == 200 and 'id="diff-total"' in page.text


def test_web_store_sign_out_ends_the_session_everywhere(app_client: TestClient) -> None:
    """A copy of the session cookie stops working once its owner signs out."""
    c = app_client
    token = login(c, "ed@maker.example")
    stolen = c.cookies.get("tzj_session")
    assert stolen and c.get("/api/whoami").status_code == 200
    c.post("/logout", data={"csrf_token": token})
    c.cookies.clear()
    c.cookies.set("tzj_session", stolen)
    assert c.get("/api/whoami").status_code == 401


def test_web_store_unpublish_and_verify_show_withdrawal(
    app_client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    """An editor withdraws a publication with a reason (CSRF form on the revision page):
    the public label says so; the verify page names a withdrawn or superseded report."""
    from tanzuji.services.context import Actor
    from tanzuji.services.reports import set_report_status
    from tanzuji.store import UnitOfWork

    c = app_client
    token = login(c, "ed@maker.example")
    rev = upload(c, token)["revision"]
    c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": token})
    pdf = tiny_signed_pdf(tmp_path)
    number = issue_report(world.store, "lab", "eva@lab.example", rev, pdf)
    token = login(c, "ed@maker.example")
    pub = c.post(f"/api/revisions/{rev}/publications", headers={"X-CSRF-Token": token}).json()
    pid = pub["publication"]
    page = c.get(f"/revisions/{rev}").text
    assert f"/publications/{pid}/unpublish" in page  # the button, for the owner's editor
    v = c.post("/api/verify", files={"file": ("r.pdf", pdf)}).json()
    assert v["report"]["number"] == number and v["report"]["status"] == "issued"
    # without the CSRF token: refused, nothing changes
    r = c.post(f"/publications/{pid}/unpublish", data={"reason": "x"})
    assert r.status_code == 403
    # a viewer of the owner may not withdraw
    vt = login(c, "view@maker.example")
    r = c.post(f"/publications/{pid}/unpublish", data={"reason": "x", "csrf_token": vt})
    assert r.status_code == 403
    token = login(c, "ed@maker.example")
    reason = "型号停产 / model discontinued"
    r = c.post(
        f"/publications/{pid}/unpublish",
        data={"reason": reason, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    again = c.post(
        f"/api/publications/{pid}/unpublish", data={"reason": "y"}, headers={"X-CSRF-Token": token}
    )
    assert again.status_code == 409  # already withdrawn; the first reason stays
    c.cookies.clear()
    public = c.get(f"/p/{pid}").text
    assert "已撤回" in public and reason in public
    login(c, "admin@maker.example")
    trail = c.get("/api/audit").json()
    assert any(e["action"] == "footprint.unpublish" and e["object_id"] == pid for e in trail)
    # the evaluation institute supersedes its report: the verify page says by which, and why
    set_report_status(
        UnitOfWork(world.store),
        Actor("eva@lab.example", "lab"),
        number,
        "superseded",
        reason="corrected transport",
        superseded_by="2026-00042",
    )
    c.cookies.clear()
    token = csrf_of(c.get("/verify").text)
    html = c.post("/verify", files={"file": ("r.pdf", pdf)}, data={"csrf_token": token}).text
    assert 'id="report-status"' in html and "2026-00042" in html and "corrected transport" in html
