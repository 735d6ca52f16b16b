"""The pre-filled rows of the empty template: the 28 typical materials of Table A.3 and the
items of Tables A.4–A.7.

>>> [r["name_zh"] for r in template_rows(Stage.MANUFACTURING, "zh")][:2]
['电力消耗', '用电总量']
"""

from __future__ import annotations

from typing import Any

from tanzuji.model import Stage
from tanzuji.xlsx.labels import BOM_ROWS, CHOICES

__all__ = ["template_rows"]


def template_rows(stage: Stage, lang: str) -> list[dict[str, Any]]:
    """The template's rows of one stage sheet."""

    def label(entry: str) -> dict[str, Any]:
        _, zh, en = next(o for o in CHOICES["entry"].options if o[0] == entry)
        return {"name_zh": zh, "name_en": en, "entry": CHOICES["entry"].display(entry, lang)}

    def proc(p: str) -> str:
        return CHOICES["process"].display(p, lang)

    def flow(zh: str, en: str, unit: str, **more: Any) -> dict[str, Any]:
        return {"name_zh": zh, "name_en": en, "unit": unit, **more}

    def energy(zh: str, en: str, unit: str) -> dict[str, Any]:
        return {**label("transport_energy"), "name_zh": zh, "name_en": en, "unit": unit}

    def leg(
        name_zh: str, name_en: str, process: str, fuels: list[tuple[str, str, str]]
    ) -> list[dict[str, Any]]:
        return [
            {
                **label("transport"),
                "name_zh": name_zh,
                "name_en": name_en,
                "process": proc(process),
            },
            *(energy(*f) for f in fuels),
            {**label("transport_mass"), "unit": "t"},
            {**label("transport_distance"), "unit": "km"},
        ]

    fuels = [("电力", "Electricity", "kWh"), ("汽油", "Gasoline", "kg"), ("柴油", "Diesel", "kg")]
    if stage is Stage.RAW_MATERIALS:
        return [
            {"no": i, "name_zh": zh, "name_en": en, "unit": "kg"}
            for i, (zh, en) in enumerate(BOM_ROWS, start=1)
        ]
    if stage is Stage.MANUFACTURING:
        parts = [
            {**label(e), "unit": "kWh"}
            for e in (
                "electricity_total",
                "electricity_grid",
                "electricity_green",
                "electricity_onsite",
            )
        ]
        return [
            {**label("electricity"), "unit": "kWh"},
            *parts,
            flow("天然气（标准状态）", "Natural gas (standard state)", "m³"),
            flow("汽油", "Gasoline", "kg"),
            flow("柴油", "Diesel", "kg"),
        ]
    if stage is Stage.DISTRIBUTION:
        return leg("产品出厂运输", "Product distribution", "outbound_transport", fuels)
    if stage is Stage.USE:
        return [
            flow("运行能耗", "Operating energy", "kWh"),
            {
                **label("operation"),
                "name_zh": "运行能耗（功率×时长）",
                "name_en": "Operating energy (power × time)",
            },
            {**label("power"), "unit": "W"},
            {**label("duration"), "unit": "h"},
        ]
    sorting = proc("sorting_disposal")
    return [
        flow("电力消耗量", "Electricity", "kWh", process=sorting),
        flow("柴油消耗量", "Diesel", "kg", process=sorting),
        flow("废料处置量", "Waste disposed", "kg", process=sorting),
        *leg(
            "拆回运输",
            "Removal transport",
            "removal_transport",
            [fuels[0], ("天然气", "Natural gas", "m³"), *fuels[1:]],
        ),
    ]
