"""Issued reports are numbered and recorded by the store; amendment and withdrawal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from reporthelpers import ACCEPTED, FIXTURE, Keys, needs_tools, pdftotext

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]


def _reports(url: str) -> dict[str, dict[str, object]]:
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config
    from tanzuji.services.reports import list_reports
    from tanzuji.store import UnitOfWork

    cfg = load_config().with_overrides(database_url=url)
    rows = list_reports(UnitOfWork(store_from_config(cfg)), actor_from_config(cfg))
    return {str(r["number"]): r for r in rows}


def _renditions(url: str, number: str) -> dict[str, object]:
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config
    from tanzuji.services.reports import list_reports
    from tanzuji.store import UnitOfWork

    cfg = load_config().with_overrides(database_url=url)
    rows = list_reports(UnitOfWork(store_from_config(cfg)), actor_from_config(cfg))
    return {str(r["lang"]): r["pdf_sha256"] for r in rows if r["number"] == number}


def _authorise(
    run_main: Run, url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch, tmp: Path
) -> None:
    """The signing authority a store asks for: the study saved as a revision, the
    certificate's subject an authorised signatory, the revision approved by a reviewer."""
    from tanzuji.config import load_config
    from tanzuji.services.admin import add_user
    from tanzuji.services.context import actor_from_config, store_from_config
    from tanzuji.store import UnitOfWork

    code, out = run_main("save", str(FIXTURE), "--database-url", url, "--json")
    assert code == 0, out
    rev = json.loads(out[out.index("{") :])["revision"]
    # refused before the signatory is added: says who and how to become one
    refused = tmp / "refused.pdf"
    code, out = run_main("report", str(FIXTURE), "--key", str(keys.key), "--cert",
                         str(keys.cert), "--database-url", url, "--out", str(refused))  # fmt: skip
    assert code == 1 and "张三" in out and "tanzuji signatory add" in out, out
    assert not refused.exists()
    code, out = run_main("signatory", "add", "--cert", str(keys.cert), "--database-url", url)
    assert code == 0, out
    cfg = load_config().with_overrides(database_url=url)
    add_user(UnitOfWork(store_from_config(cfg)), actor_from_config(cfg), "li.si@lab.cn",
             org="default", role="evaluator", display_name="李四")  # fmt: skip
    monkeypatch.setenv("TANZUJI_USER", "li.si@lab.cn")
    code, out = run_main("approve", rev[:12], "--database-url", url, "--comment", "已核对")
    monkeypatch.delenv("TANZUJI_USER")
    assert code == 0 and "李四" in out, out


def test_signed_reports_are_numbered_recorded_amended_and_withdrawn(
    run_main: Run, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'tz.db'}"
    code, out = run_main("db", "init", "--database-url", url)
    assert code == 0, out
    _authorise(run_main, url, keys, monkeypatch, tmp_path)
    base = ["report", str(FIXTURE), "--key", str(keys.key), "--cert", str(keys.cert),
            "--database-url", url]  # fmt: skip
    for finding_id, reason in ACCEPTED:
        base += ["--accept", finding_id, "--reason", reason]
    first = tmp_path / "r1.pdf"
    code, out = run_main(*base, "--out", str(first))
    assert code == 0, out
    assert "已记录到数据库：报告编号 2025-00001" in out  # the store's first number of 2025
    cover = pdftotext(first, "-l", "1")
    assert "2025-00001" in cover  # the report carries it
    assert re.search(r"审核：李四（default），\d{4}-\d\d-\d\d \d\d:\d\d UTC；签发人：张三", cover)
    rows = _reports(url)
    assert rows["2025-00001"]["status"] == "issued"
    assert rows["2025-00001"]["signer"] == "张三"
    # amending needs an issued number, and marks the amended report superseded
    second = tmp_path / "r2.pdf"
    code, out = run_main(*base, "--out", str(second), "--amends", "2025-00099",
                         "--amend-reason", "x")  # fmt: skip
    assert (code == 1 and "no report with this number" in out) or "没有此编号" in out
    code, out = run_main(*base, "--out", str(second), "--amends", "2025-00001",
                         "--amend-reason", "更正运输距离")  # fmt: skip
    assert code == 0, out
    assert "报告编号 2025-00002" in out and "报告 2025-00001 已标记为被替代" in out
    cover = re.sub(r"\s+", "", pdftotext(second, "-l", "1"))
    assert "本报告替代报告2025-00001，理由：更正运输距离" in cover
    rows = _reports(url)
    assert rows["2025-00001"]["status"] == "superseded"
    assert rows["2025-00001"]["status_reason"] == "更正运输距离"
    assert rows["2025-00001"]["superseded_by"] == "2025-00002"
    assert rows["2025-00001"]["status_changed_at"]
    assert rows["2025-00002"]["amends"] == "2025-00001"
    code, out = run_main("withdraw", "2025-00002", "--reason", "客户撤回", "--database-url", url)
    assert code == 0 and "已撤回报告 2025-00002" in out, out
    assert _reports(url)["2025-00002"]["status"] == "withdrawn"
    assert _reports(url)["2025-00002"]["status_reason"] == "客户撤回"


def test_without_a_store_a_signed_report_says_it_is_not_recorded(
    run_main: Run, keys: Keys, tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delenv("TANZUJI_DATABASE_URL", raising=False)
    (tmp_path / "empty.toml").write_text("")
    monkeypatch.setenv("TANZUJI_CONFIG", str(tmp_path / "empty.toml"))
    args = ["report", str(FIXTURE), "--out", str(tmp_path / "r.pdf"), "--key", str(keys.key),
            "--cert", str(keys.cert)]  # fmt: skip
    for finding_id, reason in ACCEPTED:
        args += ["--accept", finding_id, "--reason", reason]
    code, out = run_main(*args)
    assert code == 0, out
    assert "未记录：没有配置数据库" in out


def test_report_from_a_stored_revision_and_verify_against_the_store(
    run_main: Run, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report --rev`` issues from the store (one number per signed issue, none for a
    draft or a refused issue); ``verify`` then tells withdrawn/superseded (§7.8.8)."""
    import hashlib
    import json

    url = f"sqlite:///{tmp_path / 'tz.db'}"
    assert run_main("db", "init", "--database-url", url)[0] == 0
    code, out = run_main("save", str(FIXTURE), "--json", "--database-url", url)
    assert code == 0, out
    rev = json.loads(out[out.index("{") :])["revision"]
    _authorise(run_main, url, keys, monkeypatch, tmp_path)  # signatory + reviewer approval
    db = ["--database-url", url]
    sign = ["--key", str(keys.key), "--cert", str(keys.cert)]
    accept: list[str] = []
    for finding_id, reason in ACCEPTED:
        accept += ["--accept", finding_id, "--reason", reason]
    # a draft gets no number from the store and is not recorded
    code, out = run_main("report", "--rev", rev[:10], "--out", str(tmp_path / "d.pdf"),
                         "--html", str(tmp_path / "d.html"), *db)  # fmt: skip
    assert code == 0, out
    assert _reports(url) == {}
    # the product picture (meter.svg beside the study) was kept with the revision: the
    # report from the store shows the very picture the report from the file shows
    from tanzuji.report.assets import picture_data_uri

    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert f'<img src="{picture_data_uri("meter.svg", FIXTURE)}"' in html
    # refused by the gate (blocking findings not accepted): no number used
    code, out = run_main("report", "--rev", rev[:10], "--out", str(tmp_path / "x.pdf"), *sign, *db)
    assert code == 1 and _reports(url) == {}, out
    first, first_en = tmp_path / "r1.pdf", tmp_path / "r1-en.pdf"
    code, out = run_main("report", "--rev", rev[:10], "--out", str(first),
                         "--also-out", str(first_en), *sign, *accept, *db)  # fmt: skip
    assert code == 0, out
    rows = _reports(url)
    assert list(rows) == ["2025-00001"]  # gap-free: the refused issue used no number
    # the zh and en renditions share the number; each PDF is stored with its own hash
    assert _renditions(url, "2025-00001") == {
        "zh": hashlib.sha256(first.read_bytes()).hexdigest(),
        "en": hashlib.sha256(first_en.read_bytes()).hexdigest(),
    }
    assert "2025-00001" in pdftotext(first_en, "-l", "1")
    assert rows["2025-00001"]["revision"] == rev  # linked to the stored revision
    assert "2025-00001" in pdftotext(first, "-l", "1")
    code, out = run_main("verify", str(first), *db)
    assert code == 0 and ("in force" in out or "有效（未撤回" in out), out
    second = tmp_path / "r2.pdf"
    code, out = run_main(
        "report", "--rev", rev, "--out", str(second), *sign, *accept, *db,
        "--amends", "2025-00001", "--amend-reason", "更正运输距离",
    )  # fmt: skip
    assert code == 0, out
    code, out = run_main("verify", str(first), *db)
    flat = " ".join(out.split())
    assert code == 1, out
    assert "已被报告 2025-00002 替代" in flat and "更正运输距离" in flat, out
    changed = _reports(url)["2025-00001"]["status_changed_at"]
    assert isinstance(changed, str) and changed in flat
    code, out = run_main("withdraw", "2025-00002", "--reason", "客户撤回委托", *db)
    assert code == 0, out
    code, out = run_main("verify", str(second), *db)
    flat = " ".join(out.split())
    assert code == 1 and "已撤回" in flat and "客户撤回委托" in flat, out
    # amending a superseded report is refused (amend the one in force), using no number
    code, out = run_main(
        "report", "--rev", rev, "--out", str(tmp_path / "r3.pdf"), *sign, *accept, *db,
        "--amends", "2025-00001", "--amend-reason", "x",
    )  # fmt: skip
    assert code == 1 and "2025-00002" in out, out
    assert sorted(_reports(url)) == ["2025-00001", "2025-00002"]


def test_report_from_a_revision_without_its_picture_warns_unless_quiet(
    run_main: Run, tmp_path: Path
) -> None:
    """The study names a picture the stored revision does not hold (the file was missing at
    save): ``report --rev`` says so, in the user's language; ``--quiet`` prints no warnings
    (docs/cli.md), as for a report from a file."""
    import shutil

    folder = tmp_path / "meter"
    shutil.copytree(FIXTURE, folder)
    (folder / "meter.svg").unlink()
    url = f"sqlite:///{tmp_path / 'tz.db'}"
    assert run_main("db", "init", "--database-url", url)[0] == 0
    code, out = run_main("save", str(folder / "study.yaml"), "--json", "--database-url", url)
    assert code == 0, out
    rev = json.JSONDecoder().raw_decode(out[out.index("{") :])[0]["revision"]
    draft = ["report", "--rev", rev[:10], "--database-url", url, "--force"]
    code, out = run_main(*draft, "--out", str(tmp_path / "zh.pdf"))
    assert code == 0 and "没有保存该图片" in out, out
    code, out = run_main(*draft, "--out", str(tmp_path / "en.pdf"), "--lang", "en")
    assert code == 0 and "does not hold it" in " ".join(out.split()), out
    code, out = run_main(*draft, "--out", str(tmp_path / "q.pdf"), "--quiet")
    assert code == 0 and "没有保存该图片" not in out and "警告" not in out, out
