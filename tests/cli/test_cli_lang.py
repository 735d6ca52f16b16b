"""One language at a time (global --lang, TANZUJI_LANG, config file) and one set of
option names across the commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from clihelpers import EXAMPLES, fresh

STUDY = EXAMPLES / "single-phase-meter" / "study.yaml"


def _options(run, name: str) -> dict[str, str]:
    """Option name → its help line (with the ``[default: …]``) from ``NAME --help`` (English)."""
    res = run("--lang", "en", name, "--help")
    assert res.code == 0, res.err
    text = re.sub(r"\s+", " ", res.out)
    found = {}
    for m in re.finditer(r"(?<![\w-])(--[a-z][a-z-]*)", text):
        found.setdefault(m.group(1), text[m.start() : m.start() + 400])
    return found


def test_global_lang_makes_status_lines_english(run, tmp_path: Path) -> None:
    res = run("--lang", "en", "schema", "--out", tmp_path / "s.json")
    assert res.code == 0, res.err
    assert res.err.strip() == f"wrote {tmp_path / 's.json'}"


def test_chinese_session_has_no_english_status_line(run, tmp_path: Path) -> None:
    res = run("template", tmp_path / "t.xlsx")
    assert res.code == 0, res.err
    assert res.err.strip() == f"已写入 {tmp_path / 't.xlsx'}"
    assert "wrote" not in res.err


def test_tanzuji_lang_environment_variable(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TANZUJI_LANG", "en")
    res = run("evaluate", STUDY, "--out", tmp_path / "s.txt")
    assert res.code == 0, res.err
    text = (tmp_path / "s.txt").read_text(encoding="utf-8")
    assert "Life-cycle stage" in text and "生命周期阶段" not in text
    assert res.err.startswith("wrote ")
    # the command line overrides the environment
    res = run("--lang", "zh", "evaluate", STUDY, "--out", tmp_path / "z.txt")
    assert "生命周期阶段" in (tmp_path / "z.txt").read_text(encoding="utf-8")


def test_config_file_language(run, tmp_path: Path, isolated_user: Path) -> None:
    cfg = isolated_user / "config" / "tanzuji" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('lang = "en"\n', encoding="utf-8")
    res = run("factors", "search", "no-such-word-anywhere")
    assert res.code == 1
    assert res.err.strip() == "no factor matches 'no-such-word-anywhere'"


def test_error_prefix_follows_the_language(run, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    zh = run("evaluate", missing)
    en = run("--lang", "en", "evaluate", missing)
    assert zh.code == en.code == 1
    assert zh.err.startswith("错误: ") and en.err.startswith("error: ")


def test_per_command_lang_still_works(run) -> None:
    res = run("factors", "show", "cn.grid.co2.2022.he", "--lang", "en")
    assert res.code == 0, res.err
    assert "Provincial average electricity CO2 factor, Hebei, 2022" in res.out


def test_factor_tables_show_labels_not_internal_keys(run) -> None:
    en = run("--lang", "en", "factors", "list")
    assert en.code == 0, en.err
    assert "fairly high" in en.out
    assert not re.search(r"\bfairly_high\b|\bfairly_low\b|national_database", en.out)
    # factor names in English when the library has one
    assert "Hebei" in en.out and "Provincial" in en.out
    assert "河北" not in en.out
    zh = run("factors", "list")
    assert "较高" in zh.out and "河北" in zh.out and "Hebei" not in zh.out


def test_factor_card_shows_labels_not_keys(run) -> None:
    res = run("--lang", "en", "factors", "show", "cn.grid.co2.2022.he")
    assert res.code == 0, res.err
    assert "national GHG factor database" in res.out
    assert "national_database" not in res.out and "fairly_high" not in res.out


def test_mc_is_the_one_monte_carlo_option(run) -> None:
    for name in ("evaluate", "report"):
        opts = _options(run, name)
        assert "--mc" in opts, name
        assert "--monte-carlo" not in opts, name


def test_same_option_names_and_defaults_across_commands(run) -> None:
    for name in ("evaluate", "report"):
        line = _options(run, name)["--uncertainty"]
        assert "[default: jjf]" in line, (name, line)
    for name in ("evaluate", "report", "template", "convert", "schema", "demo"):
        assert "--force" in _options(run, name), name
    for name in ("evaluate", "report", "check", "template", "convert", "demo"):
        assert "--lang" in _options(run, name), name


def test_shell_completion_is_offered() -> None:
    res = fresh("--help")
    assert res.code == 0
    assert "--install-completion" in res.out and "--show-completion" in res.out


@pytest.mark.parametrize("lang,prefix", [("zh", "警告:"), ("en", "warning:")])
def test_keygen_warning_in_the_chosen_language(run, tmp_path: Path, lang, prefix) -> None:
    res = run("--lang", lang, "keygen", tmp_path / "k")
    assert res.code == 0, res.err
    lines = res.err.strip().splitlines()
    assert lines[-1].startswith(prefix)
    assert ("已写入" in res.err) == (lang == "zh")


def test_check_shows_grade_labels_not_keys(run) -> None:
    res = run("--lang", "en", "check", STUDY)
    assert "fairly high" in res.out
    assert "fairly_high" not in res.out and "fairly_low" not in res.out


def test_full_budget_names_factors_in_english(run, tmp_path: Path) -> None:
    target = tmp_path / "full.txt"
    res = run("--lang", "en", "evaluate", STUDY, "--uncertainty", "full", "--out", target)
    assert res.code == 0, res.err
    text = target.read_text(encoding="utf-8")
    assert "National" in text  # cn.electricity.footprint.2023, in English (column may fold)
    assert "2023年全国电力平均碳足迹因子" not in text


def test_in_process_lang_does_not_leak_to_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    # `tanzuji --lang en …` run in-process must leave the caller's language as it was
    from tanzuji.cli import main
    from tanzuji.i18n import get_lang

    monkeypatch.delenv("TANZUJI_LANG", raising=False)
    monkeypatch.setattr("sys.argv", ["tanzuji", "--lang", "en", "factors", "search", "电力"])
    with pytest.raises(SystemExit):
        main()
    assert get_lang() == "zh"


_BILINGUAL_STUDY = """\
id: LAMP-EN
product: {name: Lamp, functional_unit: 1 piece}
period: 2025
boundary: [raw_materials, manufacturing, distribution, use]
factors:
  - id: own.chip
    name: {zh: 芯片（文献值）, en: Chip (literature)}
    value: 1.5
    unit: kgCO2e/g
    factor_type: literature
    source: a paper
    uncertainty: {min: 0.75, max: 3}
activities:
  - stage: raw_materials
    name: {zh: 芯片, en: Chips}
    quantity: 0.12
    unit: g
    factor: own.chip
    uncertainty: {relative: "5 %"}
    data_type: database
  - stage: manufacturing
    name: {zh: 生产用电, en: Plant electricity}
    unit: kWh
    grid: {quantity: 0.15, factor: cn.electricity.footprint.2023, uncertainty: {relative: "1 %"}}
  - stage: distribution
    name: {zh: 出厂运输, en: Outbound transport}
    mass: {quantity: 0.11, unit: kg, uncertainty: {standard: 0.001}}
    distance: {quantity: 1200, unit: km, uncertainty: {min: 800, max: 1600}}
    factor: freight.road.rigid-avg.defra2012
  - stage: use
    name: {zh: 使用阶段用电, en: Electricity in use}
    power: {quantity: 9, unit: W, uncertainty: {min: 8.5, max: 9.5}, data_type: offsite}
    service_life: {quantity: 5, unit: year, uncertainty: {min: 4, max: 6}}
    factor: cn.electricity.footprint.2023
"""


def test_english_session_names_activities_and_own_factors_in_english(run, tmp_path: Path) -> None:
    """Activity names ``{zh, en}`` and a study's own factor name are shown in English in the
    full budget and in the data-governance warnings (no Chinese in an English session)."""
    study = tmp_path / "lamp.yaml"
    study.write_text(_BILINGUAL_STUDY, encoding="utf-8")
    han = re.compile(r"[\u4e00-\u9fff]")
    target = tmp_path / "full.txt"
    res = run("--lang", "en", "evaluate", study, "--uncertainty", "full", "--out", target)
    assert res.code == 0, res.err
    text = target.read_text(encoding="utf-8")
    budget = text[text.index("Uncertainty budget") :]
    assert "literature" in budget and "Chips" in budget  # columns may fold
    assert not han.search(text), text
    assert not han.search(res.err), res.err
    res = run("check", study, "--json")  # both languages, whatever the session's
    assert res.code == 0, res.err
    messages = [f["message"] for f in json.loads(res.out)["findings"]]
    en = [m["en"] for m in messages]
    assert "on-site datum 'Plant electricity · grid' names no measuring instrument" in en
    assert "secondary datum 'Chips' does not state its source" in en
    assert "secondary datum 'Outbound transport' does not state its source" in en
    assert not any(han.search(m) for m in en), en
    zh = [m["zh"] for m in messages]
    assert "现场数据“生产用电 · 电网电量”未注明计量器具" in zh


def test_functional_unit_in_words_of_the_session_language(run) -> None:
    """The summary words the functional unit as the report does: the study's ``1 台`` is
    "1 unit of …" in English, and stays as written in Chinese."""
    en = run("--lang", "en", "evaluate", STUDY)
    assert en.code == 0, en.err
    assert "Functional unit: 1 unit of 单相智能电能表 " in en.out
    assert "1 台" not in en.out
    zh = run("evaluate", STUDY)
    assert "功能单位: 1 台单相智能电能表 " in zh.out
