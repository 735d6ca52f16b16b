"""Typography of the rendered reports, checked on the text poppler's pdftotext extracts.

Both bundled examples in zh and en, and a generic product (an LED lamp): no number, unit or
identifier broken across lines, no scientific notation, units as people write them, chart
labels rounded like the tables, the functional unit named once, no literal backticks, and
a generic product without meter-only rows or the meter specification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from reporthelpers import needs_tools, pdftotext

from tanzuji.studyfiles import evaluate_file

pytestmark = needs_tools
ROOT = Path(__file__).parents[2]
STUDIES = {
    "single": ROOT / "examples" / "single-phase-meter",
    "three": ROOT / "examples" / "three-phase-meter",
    "lamp": Path(__file__).parent / "fixtures" / "lamp",
}


@dataclass
class Rendered:
    html: str
    layout: str
    raw: str
    charts: list[tuple[list[str], list[str]]]
    study: Any


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Rendered]]:
    from tanzuji.report import charts
    from tanzuji.report.prepare import write_report

    out: dict[tuple[str, str], Rendered] = {}
    tmp = tmp_path_factory.mktemp("typo")
    real = charts.stage_chart
    for name, path in STUDIES.items():
        loaded, result = evaluate_file(path)
        for lang in ("zh", "en") if name != "lamp" else ("en",):
            seen: list[tuple[list[str], list[str]]] = []

            def spy(
                labels: Any, values: Any, U: Any, value_labels: Any = None, seen: Any = seen
            ) -> str:
                seen.append((list(labels), list(value_labels or [])))
                return real(labels, values, U, value_labels)

            pdf = tmp / f"{name}-{lang}.pdf"
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(charts, "stage_chart", spy)
                rep = write_report(loaded, result, pdf, lang=lang, full=False)
            out[name, lang] = Rendered(
                rep.html, pdftotext(pdf, "-layout"), pdftotext(pdf), seen, loaded.study
            )
    yield out


def _text(html_fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", html_fragment).replace("&amp;", "&")


def _nowrap_tokens(html: str) -> set[str]:
    """The texts the renderer keeps together (numbers with units, identifiers)."""
    tokens = set()
    for m in re.finditer(r'<span class="nw">(.*?)</span>(?!</span>)', html):
        tokens.add(_text(m.group(1)))
    return tokens


def _dense(text: str) -> str:
    return re.sub(r"\s+", "", text)


CASES = [("single", "zh"), ("single", "en"), ("three", "zh"), ("three", "en"), ("lamp", "en")]


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_no_number_unit_or_identifier_is_broken(
    rendered: dict[tuple[str, str], Rendered], case: tuple[str, str]
) -> None:
    r = rendered[case]
    lines = [_dense(line) for line in r.layout.splitlines()]
    tokens = _nowrap_tokens(r.html)
    assert len(tokens) > 30
    broken = [t for t in tokens if not any(_dense(t) in line for line in lines)]
    assert not broken, broken[:10]
    # the identifiers of the study, whole: instrument ids and certificate numbers
    for inst in r.study.instruments:
        assert inst.id in r.layout
        if inst.certificate is not None:
            assert inst.certificate.number in r.layout, inst.certificate.number


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_numbers_and_units_as_people_write_them(
    rendered: dict[tuple[str, str], Rendered], case: tuple[str, str]
) -> None:
    r = rendered[case]
    text = r.raw
    sci = re.search(r"(?<![A-Za-z0-9\-])\d(?:\.\d+)?[eE][+\-]?\d+(?![A-Za-z0-9])", text)
    assert sci is None, f"scientific notation: {sci}"
    assert "**" not in text and "^2" not in text
    assert not re.search(r"\b(?:c?m|km)[23]\b", text), "m2 / cm2 instead of m² / cm²"
    assert "CO2" not in text and "kgCO₂e" in text
    assert "`" not in text, "literal backticks"
    # a middle dot (t·km, 初级·实测) must not come out as a bullet (list bullets may)
    assert not [ln for ln in text.splitlines() if "•" in ln.strip().removeprefix("•")]


def test_units_with_superscripts_and_products(rendered: dict[tuple[str, str], Rendered]) -> None:
    lamp = rendered["lamp", "en"].raw
    assert "kgCO₂e/cm²" in lamp and "cm²" in lamp and "kgCO₂e/(t·km)" in _dense(lamp)


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_chart_labels_are_the_table_values(
    rendered: dict[tuple[str, str], Rendered], case: tuple[str, str]
) -> None:
    from tanzuji.report.numfmt import fmt_pair

    r = rendered[case]
    ((labels, values),) = r.charts
    assert len(labels) == len(values) > 0
    # the stage table's values, rounded with the JJF rule (value rounded to its uncertainty)
    _, result = evaluate_file(STUDIES[case[0]])
    expected = [fmt_pair(s.value, s.u)[0] for s in result.stages.values() if s is not None]
    assert values == expected
    for v in values:
        assert v.replace("\u2009", " ") in r.layout  # and each appears in the table


def test_three_phase_use_stage_label_is_rounded_like_its_table(
    rendered: dict[tuple[str, str], Rendered],
) -> None:
    # the example: the chart said 130.5 while the table said 130 (u = 7.6 → 2 digits)
    ((_, values),) = rendered["three", "zh"].charts
    assert "130" in values and "130.5" not in values


def test_the_functional_unit_is_named_once(rendered: dict[tuple[str, str], Rendered]) -> None:
    zh = _dense(rendered["single", "zh"].raw)
    assert "以1台单相智能电能表为功能单位" in zh and "单相智能电能表单相智能电能表" not in zh
    en = re.sub(r"\s+", " ", rendered["single", "en"].raw)
    assert "The functional unit is 1 unit of 单相智能电能表." in en
    lamp = re.sub(r"\s+", " ", rendered["lamp", "en"].raw)
    assert "The functional unit is 1 unit of LED 台灯." in lamp


def test_a_generic_product_gets_generic_wording_and_rows(
    rendered: dict[tuple[str, str], Rendered],
) -> None:
    lamp = rendered["lamp", "en"].raw
    for meter_only in ("Voltage/current rating", "Accuracy class", "Electricity Meter", "JJF XXXX",
                       "电能表"):  # fmt: skip
        assert meter_only not in lamp, meter_only
    assert "Product Carbon Footprint Metrological Evaluation Report" in lamp
    assert "GB/T 24067—2024" in lamp
    meter = rendered["single", "en"].raw
    assert "Voltage/current rating" in meter and "JJF XXXX" in meter


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_no_text_crosses_the_border_of_its_table_cell(
    rendered: dict[tuple[str, str], Rendered], case: tuple[str, str]
) -> None:
    """Laid out again from the report's HTML, every piece of text in a table ends inside
    its cell. Failed before 2026-12-02: factor ids kept on one line (material.steel.
    galvanised-sheet.world-avg.ice2, up to 21 mm into the next column), the digits ending
    jema2015 glued to their name, and "non-automatic" in the English instruments table.
    (WeasyPrint's boxes: ``page._page_box`` is internal, pinned with WeasyPrint.)"""
    from weasyprint.formatting_structure import boxes  # type: ignore[import-untyped]

    from tanzuji.report.assets import url_fetcher
    from tanzuji.report.weasy import import_weasyprint

    doc = import_weasyprint().HTML(string=rendered[case].html, url_fetcher=url_fetcher()).render()
    crossing = []
    for n, page in enumerate(doc.pages, 1):
        for cell in page._page_box.descendants():
            if not isinstance(cell, boxes.TableCellBox):
                continue
            right = cell.padding_box_x() + cell.padding_width()  # the border's inner edge
            for box in cell.descendants():
                if isinstance(box, boxes.TextBox) and box.position_x + box.width > right + 0.5:
                    crossing.append((n, box.text, round(box.position_x + box.width - right, 1)))
    assert not crossing, crossing[:10]
