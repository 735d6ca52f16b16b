"""The signing authority on the web: only an authorised signatory issues, and only a
revision another user of the institute approved (issue 11 point 9, issue 12 point 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from .conftest import EXAMPLES
from .storekit import login, make_p12


def _shared_revisions(c: TestClient) -> tuple[str, str]:
    """Two revisions of the maker's study (the second with more PCB), shared with "lab"."""
    text = (EXAMPLES / "single-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    assert text.count("quantity: 0.0135") == 1
    token = login(c, "ed@maker.example")
    revs = []
    for body in (text, text.replace("quantity: 0.0135", "quantity: 0.0150")):
        r = c.post(
            "/api/studies",
            files={"file": ("s.yaml", body.encode())},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 201, r.text
        revs.append(r.json()["revision"])
        h = {"X-CSRF-Token": token}
        assert c.post(f"/api/revisions/{revs[-1]}/shares", data={"to": "lab"}, headers=h).is_success
    return revs[0], revs[1]


def _issue(c: TestClient, token: str, rev: str, p12: bytes) -> Any:
    return c.post(
        f"/api/revisions/{rev}/reports",
        files={"p12": ("eva.p12", p12)},
        data={"passphrase": "pw", "signer_override": "the lab signs"},
        headers={"X-CSRF-Token": token},
    )


def test_web_authority_signatory_and_approval_gate_the_issue(c: TestClient, tmp_path: Path) -> None:
    a, b = _shared_revisions(c)
    p12 = make_p12(tmp_path / "k", "eva@lab.example", "pw", "lab")

    # 1. not an authorised signatory: refused, naming who and how to become one
    token = login(c, "eva@lab.example")
    r = _issue(c, token, a, p12)
    assert r.status_code == 422
    text = r.text
    assert "eva@lab.example 不是 lab 的授权签字人" in text
    assert "tanzuji signatory add --user eva@lab.example --org lab" in text

    # the lab's administrator authorises the evaluator on the web page
    token = login(c, "admin@lab.example")
    page = c.post("/signatories", data={"email": "eva@lab.example", "csrf_token": token})
    assert page.status_code == 200 and "eva@lab.example" in page.text
    assert [s["user"] for s in c.get("/api/signatories").json()] == ["eva@lab.example"]

    # 2. signatory, but nobody approved the revision: refused
    token = login(c, "eva@lab.example")
    r = _issue(c, token, a, p12)
    assert r.status_code == 422 and "尚未经技术审核" in r.text

    # 3. the approver cannot be the signer: the evaluator's own approval does not count
    ok = c.post(f"/api/revisions/{a}/approvals", headers={"X-CSRF-Token": token})
    assert ok.status_code == 201, ok.text
    r = _issue(c, token, a, p12)
    assert r.status_code == 422 and "审核人不能是签发人" in r.text

    # 4. another user of the lab approves revision A (the web button)
    token = login(c, "admin@lab.example")
    panel = c.post(f"/revisions/{a}/approve", data={"comment": "BOM checked", "csrf_token": token})
    assert panel.status_code == 200 and "BOM checked" in panel.text

    # ... which does not allow issuing revision B
    token = login(c, "eva@lab.example")
    r = _issue(c, token, b, p12)
    assert r.status_code == 422 and "尚未经技术审核" in r.text
    assert b[:12] in r.text

    # revision A issues; the report shows the reviewer as "checked by"
    r = _issue(c, token, a, p12)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    assert number == "2025-00001"  # the refused attempts used no number
    pdf = c.get(f"/api/reports/{number}/zh.pdf").content
    import subprocess

    pdf_path = tmp_path / "r.pdf"
    pdf_path.write_bytes(pdf)
    first = subprocess.run(
        ["pdftotext", "-l", "1", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "审核" in first and "admin@lab.example" in first

    # the audit trail: the signatory, both approvals, the refusals and the issue
    login(c, "admin@lab.example")
    actions = [e["action"] for e in c.get("/api/audit").json()]
    assert actions.count("signatory.add") == 1
    assert actions.count("revision.approve") == 2
    assert actions.count("report.refused") == 4
    assert "report.issue" in actions


def test_web_authority_removed_signatory_is_refused_and_viewer_cannot_approve(
    c: TestClient, tmp_path: Path
) -> None:
    a, _ = _shared_revisions(c)
    token = login(c, "admin@lab.example")
    c.post("/signatories", data={"email": "eva@lab.example", "csrf_token": token})
    c.post(f"/api/revisions/{a}/approvals", headers={"X-CSRF-Token": token})
    page = c.post("/signatories/remove", data={"email": "eva@lab.example", "csrf_token": token})
    assert page.status_code == 200 and "eva@lab.example" not in page.text
    # an unknown user cannot be authorised: the page names the problem
    bad = c.post("/signatories", data={"email": "nobody@lab.example", "csrf_token": token})
    assert bad.status_code == 422 and "组织 lab 没有用户 nobody@lab.example" in bad.text
    token = login(c, "eva@lab.example")
    p12 = make_p12(tmp_path / "k", "eva@lab.example", "pw", "lab")
    r = _issue(c, token, a, p12)
    assert r.status_code == 422 and "不是 lab 的授权签字人" in r.text
    # a manufacturer's viewer cannot approve (role), an editor's page shows no button
    token = login(c, "view@maker.example")
    r = c.post(f"/api/revisions/{a}/approvals", headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    token = login(c, "ed@maker.example")
    assert 'id="approve"' not in c.get(f"/revisions/{a}/approvals").text
