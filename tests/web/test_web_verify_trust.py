"""The platform's verify page judges trust by the configured trust list (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import csrf_of
from .storekit import tiny_signed_pdf


def test_verify_page_shows_trust_list_name_level_and_claimed_time(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tiny_signed_pdf(tmp_path)  # signed with tmp_path/keys/cert.pem, no timestamp
    (tmp_path / "none.toml").write_text("", "utf-8")
    monkeypatch.setenv("TANZUJI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("TANZUJI_TRUST_LIST", raising=False)

    def verify_page() -> str:
        token = csrf_of(client.get("/verify").text)
        r = client.post("/verify", files={"file": ("r.pdf", pdf)}, data={"csrf_token": token})
        assert r.status_code == 200, r.text
        return r.text

    page = verify_page()
    assert "PAdES-B-B" in page and "签名时间仅为签名人自称" in page
    assert "受信任" not in page  # no trust list: trust is not judged
    trust = tmp_path / "trust.toml"
    trust.write_text(
        '[[trusted]]\nname = "示例评价机构"\nkind = "institute"\ncert = "keys/cert.pem"\n', "utf-8"
    )
    monkeypatch.setenv("TANZUJI_TRUST_LIST", str(trust))
    page = verify_page()
    assert "受信任: ✓ 示例评价机构" in page
    api = client.post("/api/verify", files={"file": ("r.pdf", pdf)}).json()
    assert api["signatures"][0]["trusted"] is True
