"""Shared data of the workbook tests: a study that uses every kind of field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Study-specific factors, so that the tests do not depend on the builtin library's ids.
FACTORS: list[dict[str, Any]] = [
    {
        "id": "t.cu",
        "name": {"zh": "铜", "en": "Copper"},
        "value": 4.0,
        "unit": "kgCO2e/kg",
        "factor_type": "literature",
        "source": {
            "citation": "ICA 2017",
            "url": "https://x.example",
            "published": "2017-05-01",
            "locator": "Table 3",
        },
        "uncertainty": {"min": 2.7, "max": 8.0, "basis": "range of datasets"},
        "region": "GLO",
        "year": 2017,
        "tags": ["metal", "copper"],
        "verification": "unverified",
    },
    {
        "id": "t.grid",
        "name": "电网电力",
        "value": 0.6205,
        "unit": "kgCO2e/kWh",
        "factor_type": "national_database",
        "source": "MEE 2025",
    },
    {
        "id": "t.pv",
        "name": {"en": "PV electricity"},
        "value": 0.0545,
        "unit": "kgCO2e/kWh",
        "factor_type": "national_database",
        "source": "MEE 2025",
        "gas": "CO2e",
    },
    {
        "id": "t.road",
        "name": "公路运输",
        "value": 0.0847,
        "unit": "kgCO2e/(t*km)",
        "factor_type": "literature",
        "source": "Defra 2012",
        "uncertainty": {"min": 0.06, "max": 0.15},
    },
    {
        "id": "t.diesel",
        "name": "柴油",
        "value": 3.096,
        "unit": "kgCO2e/kg",
        "factor_type": "standard_recommended",
        "source": "GB/T 32150-2015",
    },
    {
        "id": "t.gas",
        "name": "天然气",
        "value": 2.162,
        "unit": "kgCO2e/m**3",
        "factor_type": "standard_recommended",
        "source": "GB/T 32150-2015",
    },
    {
        "id": "t.landfill",
        "name": "填埋",
        "value": 0.1,
        "unit": "kgCO2e/kg",
        "factor_type": "default",
        "source": "assumption",
        "note": "illustrative",
    },
]


def rich_study() -> dict[str, Any]:
    """Every activity kind, every uncertainty form, register, cut-off, site, people."""
    return {
        "id": "RT-1",
        "title": "往返测试",
        "product": {
            "name": "单相智能电能表",
            "model": "DDZY-T",
            "rating": "220 V 5(60) A",
            "accuracy_class": "2",
            "category": "single-phase",
            "manufacturer": {
                "name": "示例厂",
                "address": "杭州",
                "legal_representative": "张三",
                "contact": "李四",
                "phone": "0571-000",
            },
            "annual_output": {"quantity": 1200000, "unit": "piece"},
            "functional_unit": "1 台",
            "function": "计量",
            "description": "desc\nline two\n",
            "picture": "meter.png",
        },
        "period": {"start": "2025-07-01", "end": "2026-06-30"},
        "boundary": ["raw_materials", "manufacturing", "distribution", "use", "end_of_life"],
        "cutoff_rule": "5.1: < 1 % each, ≤ 5 % in total",
        "evaluator": {"name": "王五", "date": "2026-03-15", "organisation": "计量院"},
        "recorder": {"name": "赵六", "date": "2026-02-20"},
        "checker": {"name": "钱七", "date": "2026-02-28", "organisation": "QA"},
        "place": "生产基地",
        "site": {
            "name": "基地",
            "monthly_consumption_kwh": 160000,
            "transformer_kva": 1250,
            "high_voltage_billing": True,
        },
        "instruments": [
            {
                "id": "EM-01",
                "name": "总表",
                "kind": "electricity_meter",
                "accuracy_class": "0.5S",
                "ct_ratio": "400/5",
                "pt_ratio": "10 kV/100 V",
                "model": "DTZ",
                "serial": "007",
                "certificate": {
                    "number": "JD-1",
                    "issuer": "省计量院",
                    "type": "verification",
                    "date": "2024-12-20",
                    "valid_until": "2026-12-19",
                },
                "history": [{"number": "JD-0", "date": "2022-12-20", "valid_until": "2024-12-19"}],
                "location": "配电室",
                "purpose": "生产用电",
            },
            {
                "id": "SC-01",
                "name": "天平",
                "kind": "scale_nonautomatic",
                "accuracy_class": "III",
                "max_capacity": 3,
                "scale_interval": 0.001,
                "capacity_unit": "kg",
                "in_service": False,
                "uncertainty": {"relative": 0.001},
                "note": "=not a formula",
            },
            {
                "id": "TT-01",
                "name": "测温链",
                "kind": "temperature",
                "components": [
                    {"name": "sensor", "accuracy_class": "0.5"},
                    {"name": "display", "mpe": 0.002},
                ],
                "combination": "linear",
            },
        ],
        "excluded": [
            {"name": "办公用电", "stage": "manufacturing", "estimate": 0.05, "basis": "估算"}
        ],
        "factor_libraries": ["builtin"],
        "factors": FACTORS,
        "activities": [
            {
                "id": "cu",
                "stage": "raw_materials",
                "name": {"zh": "铜", "en": "Copper"},
                "quantity": 0.1,
                "unit": "kg",
                "factor": "t.cu",
                "instrument": "SC-01",
                "uncertainty": {"standard": 0.0003, "basis": "MPE/√3"},
            },
            {
                "stage": "raw_materials",
                "name": {"zh": "铜运输", "en": "Copper transport"},
                "mode": "road",
                "mass": {
                    "quantity": 0.1,
                    "unit": "kg",
                    "uncertainty": {"standard": 0.0003, "basis": "MPE/√3"},
                },
                "distance": {"quantity": 500, "unit": "km"},
                "factor": "t.road",
            },
            {
                "stage": "raw_materials",
                "name": "外壳",
                "quantity": 0.3,
                "unit": "kg",
                "factor": "t.cu",
                "data_type": "enterprise_statistics",
                "uncertainty": {"min": 0.25, "max": 0.4},
                "candidates": [
                    {"quantity": 0.3, "unit": "kg", "data_type": "enterprise_statistics"},
                    {"quantity": 0.32, "unit": "kg", "data_type": "estimate"},
                ],
            },
            {
                "stage": "raw_materials",
                "name": "元器件入厂运输",
                "mode": "铁路",
                "energy": [
                    {
                        "carrier": "diesel",
                        "quantity": 0.012,
                        "unit": "kg",
                        "factor": "t.diesel",
                        "uncertainty": {"relative": 0.01},
                    },
                    {"carrier": "电力", "quantity": 0.02, "unit": "kWh", "factor": "t.grid"},
                ],
            },
            {
                "id": "elec",
                "stage": "manufacturing",
                "name": "生产用电",
                "unit": "kWh",
                "total": {
                    "quantity": 1.5,
                    "unit": "kWh",
                    "uncertainty": {"relative": 0.0029},
                    "instrument": "EM-01",
                },
                "grid": {"quantity": 1.2, "factor": "t.grid", "uncertainty": {"relative": 0.0029}},
                "green_trading": {
                    "quantity": 0.2,
                    "factor": "t.pv",
                    "data_type": "financial_settlement",
                    "source": "交易凭证",
                },
                "onsite": {"quantity": 0.1, "factor": "t.pv"},
            },
            {
                "stage": "manufacturing",
                "name": "天然气",
                "quantity": 0.01,
                "unit": "Nm3",
                "factor": "t.gas",
                "data_type": "onsite_calculated",
                "source": "流量计",
                "uncertainty": {"expanded": 0.0002, "k": 2, "distribution": "normal", "dof": 50},
            },
            {
                "stage": "distribution",
                "name": {"zh": "出厂运输", "en": "Distribution"},
                "mass": {"quantity": 0.75, "unit": "kg", "uncertainty": {"standard": 0.0003}},
                "distance": {
                    "quantity": 1200,
                    "unit": "km",
                    "data_type": "estimate",
                    "uncertainty": {"min": 1000, "max": 1500},
                    "note": "estimated",
                },
                "factor": "t.road",
                "mode": "road",
                "data_type": "enterprise_statistics",
            },
            {
                "stage": "use",
                "name": "运行能耗",
                "power": {
                    "quantity": 1.2,
                    "unit": "W",
                    "uncertainty": {"min": 0.96, "max": 1.44},
                    "data_type": "offsite",
                },
                "duration": {"quantity": 70080, "unit": "h", "note": "8 years × 8760 h"},
                "factor": "t.grid",
            },
            {
                "stage": "end_of_life",
                "process": "sorting_disposal",
                "name": "废料处置",
                "quantity": 0.8,
                "unit": "kg",
                "factor": "t.landfill",
                "disposal_route": "landfill",
                "data_type": "literature",
                "note": "  all to landfill  ",
            },
            {
                "stage": "end_of_life",
                "name": "拆回运输",
                "process": "removal_transport",
                "energy": [
                    {"carrier": "柴油", "quantity": 0.005, "unit": "kg", "factor": "t.diesel"}
                ],
            },
            {
                "stage": "manufacturing",
                "name": "老化电耗",
                "unit": "kWh",
                "factor": "t.grid",
                "calculated": {"model": "readings", "values": [0.5, 0.52, 0.48], "unit": "kWh"},
            },
            {
                "stage": "manufacturing",
                "name": "叉车柴油",
                "quantity": 0.002,
                "unit": "kg",
                "factor": "t.diesel",
                "id": "forklift",
            },
        ],
    }


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    """Write a study dict as YAML."""
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def headers(ws: Any) -> dict[str, int]:
    """First line of each header in row 3 → 1-based column."""
    return {str(c.value).split("\n")[0]: c.column for c in ws[3] if c.value is not None}


def fill(ws: Any, row: int, values: dict[str, Any]) -> None:
    """Put values into a stage/table sheet row by (Chinese) header."""
    cols = headers(ws)
    for header, value in values.items():
        ws.cell(row=row, column=cols[header]).value = value


def fill_a1(ws: Any, values: dict[str, Any]) -> None:
    """Put values next to A.1 labels (matched by their Chinese part)."""
    for row in ws.iter_rows():
        for cell in row:
            label = str(cell.value or "").split(" ")[0]
            if cell.column in (1, 3) and label in values:
                ws.cell(row=cell.row, column=cell.column + 1).value = values[label]


def sheet(wb: Any, code: str) -> Any:
    """The sheet whose name starts with ``code`` (A.1 …) or equals it."""
    return next(ws for ws in wb.worksheets if ws.title.split(" ")[0] == code)
