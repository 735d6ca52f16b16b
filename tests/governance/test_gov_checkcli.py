"""``tanzuji check STUDY [--json]``: exit codes, findings with lines, stable JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tanzuji.cli import app, main
from tanzuji.cli.checkview import loc_of

STUDY = """\
id: CHK
product: {{name: 单相智能电能表, model: A}}
period: 2025
site: {{monthly_consumption_kwh: 150000}}
instruments:
  - id: EM
    name: 总表
    kind: electricity_meter
    accuracy_class: "1"
    certificate: {{number: C-1, date: 2024-06-01, valid_until: {valid_until}}}
factors:
  - {{id: grid, name: 电网, value: 0.5, unit: kgCO2e/kWh, factor_type: national_database,
     source: test}}
excluded:
  - {{name: 办公用电, stage: manufacturing, estimate: {excluded}}}
activities:
  - stage: manufacturing
    name: 电
    quantity: 20
    unit: kWh
    factor: grid
    instrument: EM
"""

FINDING_KEYS = {"id", "level", "code", "clause", "path", "message", "line"}
TOP_KEYS = {
    "schema_version",
    "study_id",
    "ok",
    "counts",
    "findings",
    "site",
    "data_quality",
    "cutoff",
    "allocations",
    "choices",
    "file",
    "pcr",  # departures from the declared product rule (tanzuji.pact.pcr)
    "supplier_parts",  # BOM lines using supplier primary data (tanzuji.pact.supply)
}


def write(tmp_path: Path, valid_until: str = "2026-05-31", excluded: float = 0.05) -> Path:
    p = tmp_path / "study.yaml"
    p.write_text(STUDY.format(valid_until=valid_until, excluded=excluded), encoding="utf-8")
    return p


runner = CliRunner()


def test_clean_study_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path)
    res = runner.invoke(app, ["check", str(path)])
    assert res.exit_code == 0, res.output
    assert "检查通过" in res.output and "用户类别" in res.output
    res = runner.invoke(app, ["check", str(tmp_path), "--lang", "en"])  # a directory works too
    assert res.exit_code == 0 and "check passed" in res.output
    assert "Primary data" in res.output and "100.0 %" in res.output


def test_error_finding_exits_1_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, valid_until="2025-12-30")
    res = runner.invoke(app, ["check", str(path), "--lang", "en"])
    assert res.exit_code == 1
    assert "CERTIFICATE_EXPIRED:C-1" in res.output and "(line 10)" in res.output
    assert "check failed: 1 errors" in res.output


def test_cutoff_violation_exits_1(tmp_path: Path) -> None:
    # 0.102 of 10 + 0.102 = 1.0097 % ≥ 1 %
    res = runner.invoke(app, ["check", str(write(tmp_path, excluded=0.102)), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert [f["code"] for f in data["findings"] if f["level"] == "error"] == ["cutoff.single"]


def test_json_is_stable(tmp_path: Path) -> None:
    res = runner.invoke(app, ["check", str(write(tmp_path, valid_until="2025-12-30")), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert set(data) == TOP_KEYS
    assert data["schema_version"] == 1 and data["ok"] is False
    assert data["counts"] == {"error": 1, "warning": 0, "info": 1}
    assert all(set(f) == FINDING_KEYS for f in data["findings"])
    first = data["findings"][0]
    assert first == {
        "id": "CERTIFICATE_EXPIRED:C-1",  # code + certificate number: stable
        "level": "error",
        "code": "certificate.expired",
        "clause": "§6.1",
        "path": "instruments[0].certificate.valid_until",
        "message": {
            "zh": "计量器具 EM 在评价周期内 2025-12-31 无有效检定/校准证书",
            "en": "instrument EM has no valid certificate on 2025-12-31 within the "
            "evaluation period 2025",
        },
        "line": 10,
    }
    assert data["site"]["user_category"] == "III"
    assert data["site"]["required_meter_class"] == "1 / B"
    assert data["data_quality"]["primary_share"] == 1.0
    use = data["data_quality"]["stages"]["use"]  # in the boundary, nothing in it
    assert use["value"] == 0 and use["primary_share"] is None
    assert data["cutoff"]["excluded_total"] == 0.05


def test_loc_of() -> None:
    assert loc_of("instruments[2].certificate.valid_until") == [
        "instruments",
        2,
        "certificate",
        "valid_until",
    ]
    assert loc_of("") == []


@pytest.mark.parametrize("content", ["id: [unclosed", "id: X\n"])
def test_bad_study_is_one_line_per_error(
    tmp_path: Path,
    content: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(content, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["tanzuji", "check", str(p)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "错误:" in err and "Traceback" not in err and "bad.yaml" in err
