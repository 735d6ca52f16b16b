"""The web issue-and-sign flow: the evaluator's PKCS#12 is opened in memory only (no key
file is ever written, not even a temporary one), the signature verifies, and the form,
its errors and its result are in the session's language (zh or en) throughout."""

from __future__ import annotations

import contextlib
import html as htmlmod
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import EXAMPLES
from .storekit import StoreWorld, authorise, login, make_p12, store_client

FINDING = "CERTIFICATE_NOT_COVERING:JD-EM-2025-0107"
PASSPHRASE = "s3cret passphrase"
EVA = "eva@lab.example"

# ------------------------------------------------------------------ what is written to disk

_watchers: list[list[tuple[str, bytes]]] = []
_busy = threading.local()


def _snapshot(path: str) -> list[tuple[str, bytes]]:
    """Every regular file at or below ``path`` with its bytes (before it is removed)."""
    out: list[tuple[str, bytes]] = []
    p = Path(path)
    files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()] if p.is_dir() else []
    for f in files:
        with contextlib.suppress(OSError):
            out.append((str(f), f.read_bytes()))
    return out


def _hook(event: str, args: tuple[Any, ...]) -> None:
    """Sees every file this process opens for writing, and the content of every file it
    removes, renames or deletes a tree of (read just before it goes)."""
    if not _watchers or getattr(_busy, "on", False):
        return
    _busy.on = True
    try:
        seen: list[tuple[str, bytes]] = []
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
                seen.append((os.fsdecode(args[0]), b""))  # the content: read later
        elif event in {"os.remove", "os.rename", "shutil.rmtree", "shutil.move"} and isinstance(
            args[0], (str, bytes, os.PathLike)
        ):
            seen.extend(_snapshot(os.fsdecode(args[0])))
        for w in _watchers:
            w.extend(seen)
    finally:
        _busy.on = False


sys.addaudithook(_hook)  # audit hooks cannot be removed: it is idle unless watching


class DiskWatch:
    """The files written (and their bytes, also of the ones deleted since) while active."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes]] = []

    def __enter__(self) -> DiskWatch:
        _watchers.append(self.events)
        return self

    def __exit__(self, *exc: object) -> None:
        _watchers.remove(self.events)

    def contents(self) -> list[tuple[str, bytes]]:
        """Snapshots of removed files, and the current bytes of files still there."""
        out = [(p, b) for p, b in self.events if b]
        for path in {p for p, b in self.events if not b}:
            out.extend(_snapshot(path))
        return out

    def holding(self, secrets: list[bytes]) -> list[str]:
        return sorted({p for p, data in self.contents() if any(s in data for s in secrets)})


def _key_secrets(key_pem: Path) -> list[bytes]:
    """Byte strings any copy of the private key on disk would contain (DER, PEM, d)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = serialization.load_pem_private_key(key_pem.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pem_body = key_pem.read_text().splitlines()[1].encode()  # a base64 line of the key
    d = key.private_numbers().d
    return [der, pem_body, d.to_bytes((d.bit_length() + 7) // 8, "big"), b"PRIVATE KEY"]


# ------------------------------------------------------------------ the application


@pytest.fixture
def client(world: StoreWorld) -> Iterator[TestClient]:
    with store_client(world) as c:
        yield c


def shared_revision(c: TestClient, world: StoreWorld, *, picture: str | None = None) -> str:
    """The single-phase example with an expired meter certificate (one blocking finding),
    optionally naming a picture (uploaded without it: the revision holds none), uploaded by the
    manufacturer, shared with the institute and approved there."""
    text = (EXAMPLES / "single-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "date: 2024-12-20, valid_until: 2026-12-19", "date: 2023-12-20, valid_until: 2024-06-19"
    )
    if picture:
        text = text.replace(
            "  name: 单相智能电能表\n", f"  name: 单相智能电能表\n  picture: {picture}\n"
        )
    token = login(c, "ed@maker.example")
    r = c.post(
        "/api/studies",
        files={"file": ("expired.yaml", text.encode())},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 201, r.text
    rev = str(r.json()["revision"])
    c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": token})
    authorise(world.store, "lab", EVA, rev, reviewer="admin@lab.example")
    return rev


def post_issue(
    c: TestClient, token: str, rev: str, p12: bytes | None, **fields: str
) -> tuple[int, str]:
    files = {"p12": ("eva.p12", p12)} if p12 is not None else None
    r = c.post(f"/revisions/{rev}/issue", files=files, data={"csrf_token": token, **fields})
    return r.status_code, r.text


ACCEPTED = {"accept": FINDING, f"reason-{FINDING}": "meter re-verified on 2025-01-03"}

# ------------------------------------------------------------------ one language per page

_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def visible_text(page: str, allowed: tuple[str, ...] = ()) -> str:
    """What a reader sees (text, placeholders, labels, titles), without the brand, the
    language switch (it names the other language in that language) and ``allowed``."""
    page = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", page)
    page = re.sub(
        r'(?s)<a class="brand".*?</a>|<button[^>]*id="lang-switch".*?</button>', " ", page
    )
    attrs = re.findall(r'(?:placeholder|title|alt|aria-label)="([^"]*)"', page)
    text = " ".join([re.sub(r"<[^>]+>", " ", page), *attrs])
    text = htmlmod.unescape(text)
    for token in allowed:
        text = text.replace(token, " ")
    return " ".join(text.split())


def english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", text)


# names and codes that are the same in both languages
COMMON = (
    FINDING,
    EVA,
    "ed@maker.example",
    "PKCS#12",
    ".p12",
    "SHA-256",
    "PDF",
    "UTC",
    "tanzuji",
    "EM-01",
    "photo.png",
    "· lab",  # the institute's name
    "/ lab",
)


def assert_one_language(page: str, lang: str, *allowed: str) -> None:
    text = visible_text(page, COMMON + allowed)
    text = re.sub(r"\b[0-9a-f]{12,64}\b", " ", text)  # revision ids and hashes
    if lang == "zh":
        assert english_words(text) == [], text
        assert _CJK.search(text), text
    else:
        assert _CJK.findall(text) == [], text
        assert english_words(text), text


# ------------------------------------------------------------------ tests


def test_web_issue_opens_the_pkcs12_in_memory_and_the_signature_verifies(
    client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    """No file written during the issue holds the private key (not even one deleted
    again); the watch itself catches the old way (a temporary PEM, removed after)."""
    from tanzuji.report.sign import verify_pdf

    c = client
    rev = shared_revision(c, world)
    keys = tmp_path / "keys"  # the evaluator's own copy: made before the watch starts
    p12 = make_p12(keys, EVA, PASSPHRASE, "lab")
    secrets = _key_secrets(keys / "key.pem")
    # the watch is able to fail: a key written to a temporary file and removed is caught
    with DiskWatch() as probe:
        tmp = Path(tempfile.mkdtemp(prefix="tzj-sign-"))
        (tmp / "key.pem").write_bytes((keys / "key.pem").read_bytes())
        shutil.rmtree(tmp)
    assert probe.holding(secrets) == [str(tmp / "key.pem")]
    token = login(c, EVA)
    with DiskWatch() as watch:
        code, page = post_issue(
            c, token, rev, p12, passphrase=PASSPHRASE, signer_override="lab signs", **ACCEPTED
        )
    assert code == 200 and 'id="issued"' in page, page
    assert watch.events, "the issue wrote its scratch files, so the watch saw something"
    assert watch.holding(secrets) == []
    db = tmp_path / "web.db"
    assert not any(s in db.read_bytes() for s in secrets)  # nor does the database
    number = re.search(r'id="report-number">([^<]+)<', page)
    assert number is not None
    pdf = c.get(f"/api/reports/{number.group(1)}/zh.pdf")
    assert pdf.status_code == 200
    (check,) = verify_pdf(pdf.content, trust=[keys / "cert.pem"])
    assert check.ok and check.intact and check.valid and check.trusted, check
    assert check.signer == EVA


def test_web_issue_wrong_passphrase_or_damaged_file_is_a_clear_error_in_both_languages(
    client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    c = client
    rev = shared_revision(c, world)
    p12 = make_p12(tmp_path / "k", EVA, PASSPHRASE, "lab")
    expected = {
        "zh": "无法打开 PKCS#12 文件：口令错误或文件损坏",
        "en": "cannot open the PKCS#12 file: wrong passphrase or damaged file",
    }
    for lang in ("zh", "en"):
        token = login(c, EVA, lang)
        for data in (p12, p12[:-40], b"not a PKCS#12 file"):
            code, page = post_issue(
                c, token, rev, data, passphrase="wrong" if data == p12 else PASSPHRASE
            )
            assert code == 200 and 'id="errors"' in page
            assert expected[lang] in htmlmod.unescape(page)
            assert_one_language(page, lang)


def test_web_issue_form_is_in_the_session_language(
    client: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    """Every label, hint, finding, note, error and button of the issue page in the session
    language; the form's errors are shown in the page (htmx swaps them in), never as a
    JSON error it would not show, and name no command-line option."""
    c = client
    rev = shared_revision(c, world, picture="photo.png")
    p12 = make_p12(tmp_path / "k", EVA, PASSPHRASE, "lab")
    labels = {
        "zh": ["签发并签名评价报告", "接受理由", "签名密钥", "密钥口令", "报告语言", "英文"],
        "en": ["Issue and sign the evaluation report", "reason (printed", "Signing key",
               "Passphrase of the key", "Report language", "Chinese"],
    }  # fmt: skip
    finding = {
        "zh": "计量器具 EM-01 在评价周期内",
        "en": "instrument EM-01 has no valid certificate",
    }
    note = {"zh": "研究指定了产品图片", "en": "the study names the product picture"}
    for lang in ("zh", "en"):
        token = login(c, EVA, lang)
        page = c.get(f"/revisions/{rev}/issue").text
        for label in labels[lang]:
            assert label in page, (lang, label)
        assert finding[lang] in page and note[lang] in page
        assert_one_language(page, lang)
        # the study page says the revision holds no picture
        study_page = htmlmod.unescape(c.get(f"/revisions/{rev}").text)
        missing = re.search(r'<p class="warn" id="picture-missing"[^>]*>([^<]+)</p>', study_page)
        assert missing is not None and note[lang] in missing.group(1)
        assert_one_language(missing.group(1), lang)
        panel = c.get(f"/revisions/{rev}/approvals").text
        assert_one_language(panel, lang, "admin@lab.example")
        # the gate's refusals and the form's own problems, in the page
        attempts: list[tuple[bytes | None, dict[str, str], dict[str, str]]] = [
            (p12, {"passphrase": PASSPHRASE, "signer_override": "x"},
             {"zh": "逐项明确接受并说明理由", "en": "accept each explicitly with a reason"}),
            (p12, {"passphrase": PASSPHRASE, **ACCEPTED},
             {"zh": "或说明由您签发的理由", "en": "give the reason you sign instead"}),
            (p12, {"passphrase": PASSPHRASE, "signer_override": "x", "accept": FINDING},
             {"zh": f"接受发现 {FINDING} 需要说明理由", "en": f"finding {FINDING} needs a reason"}),
            (None, {"passphrase": PASSPHRASE},
             {"zh": "请选择签名密钥文件", "en": "choose the signing key file"}),
            (p12, {}, {"zh": "请输入密钥口令", "en": "enter the passphrase of the key"}),
            (b"x" * 70_000, {"passphrase": PASSPHRASE},
             {"zh": "文件超过 65536 字节", "en": "file larger than 65536 bytes"}),
        ]  # fmt: skip
        for data, fields, message in attempts:
            code, answer = post_issue(c, token, rev, data, **fields)
            assert code == 200 and 'id="errors"' in answer, (lang, fields, answer)
            assert message[lang] in htmlmod.unescape(answer), (lang, fields, answer)
            assert "--" not in visible_text(answer), answer  # no command-line options
            assert_one_language(answer, lang, "王五", "示例计量检测研究院")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_web_issued_result_is_in_the_session_language(
    client: TestClient, world: StoreWorld, tmp_path: Path, lang: str
) -> None:
    c = client
    rev = shared_revision(c, world, picture="photo.png")
    p12 = make_p12(tmp_path / "k", EVA, PASSPHRASE, "lab")
    token = login(c, EVA, lang)
    code, page = post_issue(
        c, token, rev, p12, passphrase=PASSPHRASE, signer_override="lab", lang=lang, **ACCEPTED
    )
    assert code == 200 and 'id="issued"' in page, page
    expected = {
        "zh": ["报告已签发：", "已接受的发现：", "下载报告 PDF", "研究指定了产品图片"],
        "en": ["Report issued: ", "Accepted findings: ", "Download the report PDF",
               "the study names the product picture"],
    }  # fmt: skip
    for text in expected[lang]:
        assert text in page, text
    assert_one_language(page, lang, "2025-00001")
