"""The public carbon label: page, QR code, label images, no sign-in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import SAMPLE


def test_web_public_page_shows_the_footprint_without_sign_in(client: TestClient) -> None:
    r = client.get(f"/p/{SAMPLE.id}")
    assert r.status_code == 200
    for text in (
        "59 ± 12 kgCO2e",
        "1 台单相智能电能表",
        "从摇篮到坟墓",
        "示例计量院",
        "TZJ-2026-0001",
        "2028-12-31",
    ):
        assert text in r.text, text
    assert client.get("/p/no-such-pub").status_code == 404


def test_web_public_label_images(client: TestClient) -> None:
    svg = client.get(f"/p/{SAMPLE.id}/label.svg", params={"lang": "en"})
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Product carbon footprint" in svg.text and "<script" not in svg.text
    png = client.get(f"/p/{SAMPLE.id}/label.png", params={"lang": "zh"})
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/p/{SAMPLE.id}/label.gif").status_code == 404
    assert client.get(f"/p/{SAMPLE.id}/label.svg", params={"lang": "fr"}).status_code == 422


def test_web_public_qr_code_decodes_to_the_page(client: TestClient) -> None:
    """The QR modules are those of the page address (segno encodes the same URL again)."""
    import segno

    from tanzuji.web.label import qr_matrix

    r = client.get(f"/p/{SAMPLE.id}/qr.svg")
    assert r.status_code == 200
    url = f"http://127.0.0.1/p/{SAMPLE.id}"
    expected = segno.make(url, error="m", micro=False)
    assert qr_matrix(url) == [[bool(c) for c in row] for row in expected.matrix]
    # one black square per dark module in the served SVG
    dark = sum(sum(row) for row in qr_matrix(url))
    assert r.text.count("z") == dark
