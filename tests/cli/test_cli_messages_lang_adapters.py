"""Messages of the adapters (metering, PACT import, store, config file, grid import) in the
session's language: a Chinese session shows no English sentence and an English session no
Chinese, and both keep the file, row, column or JSON path (issue 8.5)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clihelpers import english_runs

CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_prose(text: str) -> bool:
    """Chinese in ``text`` outside quoted values and lists of accepted spellings."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|expected (?:one of|a unit such as) [^\n]*", " ", text)
    return bool(CJK.search(text))


MAPPING = """\
timezone: Asia/Shanghai
interval: 15min
columns: {timestamp: time, meter: meter, value: kwh}
instruments:
  - {id: EM-01, name: 总表, kind: electricity_meter, accuracy_class: "1",
     certificate: {number: C1, date: 2024-12-20, valid_until: 2026-12-19}}
meters:
  - {id: EM-01, measures: grid, instrument: EM-01}
groups:
  - {id: grid, role: grid, meters: [EM-01], factor: cn.electricity.footprint.2023}
"""
PERIOD = "2025-01-06/2025-01-06"
GOOD_CSV = "time,meter,kwh\n" + "".join(
    f"2025-01-06 {h:02d}:{m:02d},EM-01,1\n" for h in range(24) for m in (0, 15, 30, 45)
)


def _footprint(**changes: Any) -> dict[str, Any]:
    """A valid PACT v3 footprint (hand-written) with ``changes`` (``...`` deletes a key)."""
    pf: dict[str, Any] = {
        "id": "5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d70",
        "specVersion": "3.0.0",
        "created": "2026-03-01T08:00:00Z",
        "status": "Active",
        "companyName": "PCBA Supplier Ltd",
        "companyIds": ["urn:pact:pcba.test:company-id:S1"],
        "productDescription": "Main board",
        "productIds": ["urn:pact:pcba.test:product-id:MB-01"],
        "productNameCompany": "Main board MB-01",
        "pcf": {
            "declaredUnitOfMeasurement": "piece",
            "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "0.08",
            "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "geographyCountry": "CN",
            "pcfExcludingBiogenicUptake": "4.2",
            "pcfIncludingBiogenicUptake": "4.2",
            "fossilCarbonContent": "0.01",
            "fossilGhgEmissions": "4.2",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0.5",
            "packagingEmissionsIncluded": False,
        },
    }
    for key, value in changes.items():
        target = pf
        *parents, last = key.split(".")
        for part in parents:
            target = target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return pf


def _meter(mapping: str, csv: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        (tmp / "m.yaml").write_text(mapping, encoding="utf-8")
        (tmp / "r.csv").write_text(csv, encoding="utf-8")
        return ["meter", "ingest", str(tmp / "m.yaml"), str(tmp / "r.csv"), "--period", PERIOD]

    return make


def _bytes(path: Path) -> str:
    path.write_bytes(b"not a zip")
    return str(path)


def _pact(doc: Any) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        text = doc if isinstance(doc, str) else json.dumps(doc)
        (tmp / "pf.json").write_text(text, encoding="utf-8")
        return ["pact", "import", str(tmp / "pf.json"), "--out", str(tmp / "lib.yaml")]

    return make


def _grid(table: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        (tmp / "g.csv").write_text(table, encoding="utf-8")
        return ["factors", "import-grid", str(tmp / "g.csv"), "--out", str(tmp / "g.yaml")]

    return make


#: name → (command maker, what the message must point at, in both languages)
CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "mapping: unknown field": (_meter(MAPPING + "intervall: 15min\n", GOOD_CSV), "intervall"),
    "mapping: bad time zone": (
        _meter(MAPPING.replace("Asia/Shanghai", "Mars/Olympus"), GOOD_CSV),
        "timezone",
    ),
    "mapping: bad interval": (_meter(MAPPING.replace("15min", "7min"), GOOD_CSV), "interval"),
    "mapping: unmapped group meter": (
        _meter(MAPPING.replace("meters: [EM-01]", "meters: [EM-09]"), GOOD_CSV),
        "m.yaml",
    ),
    "mapping: YAML syntax": (_meter("meters: [\n", GOOD_CSV), "m.yaml"),
    "mapping: unknown unit": (
        _meter(MAPPING.replace("interval: 15min", "interval: 15min\nunit: kWhh"), GOOD_CSV),
        "m.yaml: unit",
    ),
    "readings: not a workbook": (
        lambda tmp: [
            *_meter(MAPPING, GOOD_CSV)(tmp)[:3],
            _bytes(tmp / "r.xlsx"),
            "--period",
            PERIOD,
        ],
        "r.xlsx",
    ),
    "pact: no such file": (
        lambda tmp: ["pact", "import", str(tmp / "none.json"), "--out", str(tmp / "lib.yaml")],
        "none.json",
    ),
    "ingest: bad period": (
        lambda tmp: [*_meter(MAPPING, GOOD_CSV)(tmp)[:-1], "2025-13-01"],
        "--period",
    ),
    "pact: v2 footprint": (
        _pact(_footprint(**{"pcf.declaredUnit": "kilogram"})),
        "declaredUnit",
    ),
    "pact: missing field": (_pact(_footprint(companyName=...)), "companyName"),
    "pact: bad decimal": (
        _pact(_footprint(**{"pcf.pcfExcludingBiogenicUptake": 4.2})),
        "pcfExcludingBiogenicUptake",
    ),
    "pact: not JSON": (_pact("{"), "pf.json"),
    "grid: no value column": (_grid("省份,年份,来源\n浙江,2022,公告\n"), "g.csv"),
    "grid: negative value": (_grid("省份,年份,排放因子,来源\n浙江,2022,-0.5,公告\n"), "g.csv"),
    "grid: unknown province": (_grid("省份,年份,排放因子,来源\n火星,2022,0.5,公告\n"), "g.csv"),
}


def _run(run: Any, tmp_path: Path, name: str, lang: str) -> Any:
    args = CASES[name][0](tmp_path)
    return run("--lang", lang, *args)


def _check(zh: Any, en: Any, where: str) -> None:
    """The Chinese run speaks Chinese (not just the 错误 prefix) and has no English sentence;
    the English run has no Chinese; both name ``where``."""
    assert zh.code == 1 and where in zh.err, zh
    assert english_runs(zh.err) == [], zh.err
    assert CJK.search(zh.err.replace("错误", "")), zh.err
    assert en.code == 1 and where in en.err, en
    assert not chinese_prose(en.err), en.err


@pytest.mark.parametrize("name", list(CASES))
def test_one_language_at_a_time(run, tmp_path: Path, name: str) -> None:
    zh = _run(run, tmp_path, name, "zh")
    en = _run(run, tmp_path, name, "en")
    _check(zh, en, CASES[name][1])


#: already in both languages before the adapters pass; kept so they stay that way
REGRESSION: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "readings: wrong column": (_meter(MAPPING, GOOD_CSV.replace("kwh", "energy", 1)), "r.csv"),
    "readings: bad timestamp": (
        _meter(MAPPING, GOOD_CSV.replace("2025-01-06 05:15", "yesterday noon")),
        "r.csv",
    ),
    "readings: unknown meter": (_meter(MAPPING, GOOD_CSV.replace("EM-01", "EM-99")), "EM-99"),
}


@pytest.mark.parametrize("name", list(REGRESSION))
def test_readings_errors_stay_in_one_language(run, tmp_path: Path, name: str) -> None:
    make, where = REGRESSION[name]
    _check(run("--lang", "zh", *make(tmp_path)), run("--lang", "en", *make(tmp_path)), where)


# ----------------------------------------------------------------------------- config file


def test_bad_config_file_in_both_languages(run, tmp_path: Path, monkeypatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('lang = "zh"\ndatabase_url = [\n', encoding="utf-8")
    monkeypatch.setenv("TANZUJI_CONFIG", str(cfg))
    monkeypatch.delenv("TANZUJI_LANG", raising=False)
    zh = run("--lang", "zh", "db", "status")
    assert zh.code == 1 and "config.toml" in zh.err, zh
    assert english_runs(zh.err) == [], zh.err
    en = run("--lang", "en", "db", "status")
    assert en.code == 1 and "not valid TOML" in en.err, en
    assert not chinese_prose(en.err), en.err


def test_unknown_config_setting_in_both_languages(run, tmp_path: Path, monkeypatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('langauge = "zh"\n', encoding="utf-8")
    monkeypatch.setenv("TANZUJI_CONFIG", str(cfg))
    zh = run("--lang", "zh", "db", "status")
    assert zh.code == 1 and "langauge" in zh.err, zh
    assert english_runs(zh.err) == [], zh.err
    en = run("--lang", "en", "db", "status")
    assert en.code == 1 and "unknown setting" in en.err, en
    assert not chinese_prose(en.err), en.err


# ----------------------------------------------------------------------------- store


@pytest.fixture
def db(run, tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "zhmsg.db"
    monkeypatch.setenv("TANZUJI_DATABASE_URL", str(path))
    monkeypatch.setenv("TANZUJI_ORG", "ACME")
    assert run("db", "init").code == 0
    assert run("org", "add", "ACME").code == 0
    return path


# The store's messages were already in both languages; these keep them so.
@pytest.mark.parametrize(
    ("args", "where"),
    [(("show", "deadbeef"), "deadbeef"), (("history", "X", "--org", "NoSuchOrg"), "NoSuchOrg")],
)
def test_store_errors_in_both_languages(run, db: Path, args: tuple[str, ...], where: str) -> None:
    _check(run("--lang", "zh", *args), run("--lang", "en", *args), where)


def test_database_newer_than_the_code_in_both_languages(run, db: Path) -> None:
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("UPDATE alembic_version SET version_num = 'zzzz_from_the_future'")
    args = ("history", "X")
    _check(run("--lang", "zh", *args), run("--lang", "en", *args), "zzzz_from_the_future")
