"""Shared fixtures of the issue-2 core suite.

Every expected number in this suite is worked out by hand from the specification's
formulas (spec digest (1)–(18), Appendix C), never taken from the program's output.
The emission factors below are fixed, hand-chosen numbers; the tests multiply them out.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tanzuji.calculation import FootprintResult, compile_study, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.model import EmissionFactor, Study

# --------------------------------------------------------------------------- factors

#: Hand-chosen factor values (kgCO2e per unit of activity unless the unit says otherwise).
EF = {
    "grid": 0.6205,  # kgCO2e/kWh
    "green": 0.0212,  # kgCO2e/kWh, green-power trading
    "pv": 0.045,  # kgCO2e/kWh, on-site generation
    "copper": 4.2,  # kgCO2e/kg
    "pcb": 60.0,  # kgCO2e/kg
    "diesel": 3.16,  # kgCO2e/kg
    "gasoline": 2.98,  # kgCO2e/kg
    "road": 0.0847,  # kgCO2e/(t*km)
    "rail": 0.0089,  # kgCO2e/(t·km)
    "landfill": 0.02,  # kgCO2e/kg
    "natgas": 2.16,  # kgCO2e/m³
    "grid_t": 0.5810,  # tCO2/MWh
    "one": 1.0,  # kgCO2e/kg
}

#: The factor records, as the YAML block of a study (flow style, one per line).
#: ``grid`` and ``road`` carry their own uncertainty: the specification's method must
#: ignore it (only activity data propagates).
FACTORS_YAML = """\
factors:
  - {id: grid, name: 电网平均, value: 0.6205, unit: kgCO2e/kWh, factor_type: national_database,
     source: MEE 2025, uncertainty: {relative: 0.05}}
  - {id: green, name: 绿电交易, value: 0.0212, unit: kgCO2e/kWh, factor_type: literature,
     source: lit}
  - {id: pv, name: 光伏自发电, value: 0.045, unit: kgCO2e/kWh, factor_type: literature,
     source: lit}
  - {id: copper, name: 铜, value: 4.2, unit: kgCO2e/kg, factor_type: literature, source: lit}
  - {id: pcb, name: PCB, value: 60, unit: kgCO2e/kg, factor_type: literature, source: lit,
     uncertainty: {min: 30, max: 150}}
  - {id: diesel, name: 柴油, value: 3.16, unit: kgCO2e/kg, factor_type: literature, source: lit}
  - {id: gasoline, name: 汽油, value: 2.98, unit: kgCO2e/kg, factor_type: literature,
     source: lit}
  - {id: road, name: 公路货运, value: 0.0847, unit: kgCO2e/(t*km),
     factor_type: international_database, source: Defra, uncertainty: {relative: 0.3}}
  - {id: rail, name: 铁路货运, value: 0.0089, unit: kgCO2e/(t·km), factor_type: literature,
     source: lit}
  - {id: landfill, name: 填埋, value: 0.02, unit: kgCO2e/kg, factor_type: literature,
     source: lit}
  - {id: natgas, name: 天然气, value: 2.16, unit: kgCO2e/m³, factor_type: literature,
     source: lit}
  - {id: grid_t, name: 电网 (t/MWh), value: 0.5810, unit: tCO2/MWh, gas: CO2,
     factor_type: national_database, source: MEE}
  - {id: one, name: unit factor, value: 1, unit: kgCO2e/kg, factor_type: default, source: test}
"""

HEAD_YAML = """\
id: CORE-T
product: {name: 单相智能电能表, model: DDZY-T, rating: 220 V 5(60) A, accuracy_class: "2"}
period: 2025
"""


@pytest.fixture(autouse=True)
def _no_builtin_libraries(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate studies from the bundled factor libraries (unless a test asks for them).

    ``load_study`` parses every bundled library (about a second per call) and those files
    change under other engineers' hands; every study here defines its own factors. Tests
    that want the real thing request the ``real_builtins`` fixture (or run a subprocess).
    """
    if "real_builtins" not in request.fixturenames:
        monkeypatch.setattr("tanzuji.jsonio.builtin_libraries", lambda: {})


@pytest.fixture
def real_builtins() -> None:
    """Marker fixture: keep the bundled factor libraries visible to ``load_study``."""


@pytest.fixture(scope="session")
def ef() -> dict[str, float]:
    """The hand-chosen factor values, by id."""
    return dict(EF)


@pytest.fixture(scope="session")
def library() -> FactorLibrary:
    """The factors of :data:`FACTORS_YAML` as a library (for in-memory studies)."""
    import yaml

    data = yaml.safe_load(FACTORS_YAML)["factors"]
    lib = FactorLibrary.from_factors(
        [EmissionFactor.model_validate(f) for f in data], id="core-tests"
    )
    # the YAML and the EF table must agree, or the hand arithmetic would be meaningless
    assert {ef.id: ef.value for ef in lib} == EF
    return lib


# --------------------------------------------------------------------------- in-memory studies

CalcFn = Callable[..., FootprintResult]


@pytest.fixture
def calc(library: FactorLibrary) -> CalcFn:
    """``calc(activities, boundary=None, **top)`` → FootprintResult of an in-memory study."""

    def run(activities: list[dict[str, Any]], boundary: Any = None, **top: Any) -> FootprintResult:
        data: dict[str, Any] = {
            "id": "CORE-MEM",
            "product": {"name": "单相智能电能表"},
            "period": 2025,
            "activities": activities,
            **top,
        }
        if boundary is not None:
            data["boundary"] = boundary
        return evaluate_jjf(compile_study(Study.model_validate(data), library))

    return run


# --------------------------------------------------------------------------- study files


def study_text(activities_yaml: str, *, extra: str = "", factors: bool = True) -> str:
    """A whole study file: head, optional extra top-level lines, factors, activities."""
    parts = [HEAD_YAML]
    if extra:
        parts.append(textwrap.dedent(extra).strip("\n") + "\n")
    parts.append("factor_libraries: []\n")
    if factors:
        parts.append(FACTORS_YAML)
    parts.append("activities:\n")
    parts.append(textwrap.dedent(activities_yaml).strip("\n") + "\n")
    return "".join(parts)


@pytest.fixture
def write_study(tmp_path: Path) -> Callable[..., Path]:
    """``write_study(activities_yaml, extra=..., name=...)`` → the study file's path."""
    counter = iter(range(10_000))

    def write(
        activities_yaml: str, *, extra: str = "", name: str = "study.yaml", raw: str | None = None
    ) -> Path:
        d = tmp_path / f"s{next(counter)}"
        d.mkdir()
        p = d / name
        p.write_text(raw if raw is not None else study_text(activities_yaml, extra=extra))
        return p

    return write


# --------------------------------------------------------------------------- the CLI


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def cli(tanzuji_main: Callable[..., tuple[int, str, str]]) -> Callable[..., Any]:
    """Run the console entry point ``tanzuji.cli:main`` in-process: ``cli("evaluate", path)``."""

    def run(*args: Any) -> CliResult:
        return CliResult(*tanzuji_main(*args))

    return run


# --------------------------------------------------------------------------- a full study


FULL_ACTIVITIES = """\
- {id: cu, stage: raw_materials, name: 铜, quantity: 0.35, unit: kg, factor: copper,
   uncertainty: {standard: 0.002}}
- {id: pcb, stage: raw_materials, name: PCB, quantity: 0.1, unit: kg, factor: pcb,
   uncertainty: {relative: "1 %"}}
- id: inbound
  stage: raw_materials
  name: 原材料运输
  energy:
    - {carrier: diesel, quantity: 0.012, unit: kg, factor: diesel,
       uncertainty: {standard: 0.0005}}
    - {carrier: electricity, quantity: 0.05, unit: kWh, factor: grid,
       uncertainty: {standard: 0.001}}
- id: elec
  stage: manufacturing
  name: 生产用电
  total: {quantity: 2.0, unit: kWh, uncertainty: {standard: 0.02}}
  grid: {quantity: 1.2, factor: grid, uncertainty: {standard: 0.01}}
  green_trading: {quantity: 0.5, factor: green, uncertainty: {standard: 0.005}}
  onsite: {quantity: 0.3, factor: pv, uncertainty: {standard: 0.004}}
- {id: gas, stage: manufacturing, name: 天然气, quantity: 0.02, unit: m³, factor: natgas,
   uncertainty: {standard: 0.001}}
- id: outbound
  stage: distribution
  name: 出厂运输
  mass: {quantity: 0.8, unit: kg, uncertainty: {standard: 0.02}}
  distance: {quantity: 1200, unit: km, uncertainty: {standard: 100}}
  factor: road
- id: run
  stage: use
  name: 运行
  power: {quantity: 1.2, unit: W, uncertainty: {relative: 0.02}}
  duration: {quantity: 87600, unit: h, uncertainty: {standard: 876}}
  factor: grid
- {id: dispose, stage: end_of_life, name: 填埋处置, quantity: 0.5, unit: kg, factor: landfill,
   disposal_route: landfill, uncertainty: {standard: 0.01}}
- {id: sort, stage: end_of_life, name: 分拣用电, quantity: 0.03, unit: kWh, factor: grid,
   uncertainty: {standard: 0.001}}
- id: removal
  stage: end_of_life
  name: 拆回运输
  mass: {quantity: 0.5, unit: kg, uncertainty: {standard: 0.01}}
  distance: {quantity: 50, unit: km}
  factor: road
"""


def full_expected() -> dict[str, Any]:
    """Hand-worked values of :data:`FULL_ACTIVITIES`, written out from the formulas."""
    g, gr, pv = EF["grid"], EF["green"], EF["pv"]
    # per activity: E = M·EF (3)/(9)/(17); transport (5)/(7); use (15) with M_use = P·t
    act = {
        "cu": (0.35 * 4.2, 0.002 * 4.2),
        "pcb": (0.1 * 60.0, 0.01 * 0.1 * 60.0),
        "inbound": (
            0.012 * 3.16 + 0.05 * g,
            math.sqrt((0.0005 * 3.16) ** 2 + (0.001 * g) ** 2),  # (6)
        ),
        "elec/grid": (1.2 * g, 0.01 * g),
        "elec/green_trading": (0.5 * gr, 0.005 * gr),
        "elec/onsite": (0.3 * pv, 0.004 * pv),
        "gas": (0.02 * 2.16, 0.001 * 2.16),
        # (7)/(8): kg × km × kgCO2e/(t·km) → ×0.001; only u(M) enters, times D·T
        "outbound": (0.8 * 1200 * 0.0847 * 0.001, 0.02 * 1200 * 0.0847 * 0.001),
        # W × h = Wh → /1000 kWh; u(M_use)² = (t·u(P))² + (P·u(t))²
        "run": (
            1.2 * 87600 / 1000 * g,
            math.sqrt((87600 * 0.02 * 1.2) ** 2 + (1.2 * 876) ** 2) / 1000 * g,
        ),
        "dispose": (0.5 * 0.02, 0.01 * 0.02),
        "sort": (0.03 * g, 0.001 * g),
        "removal": (0.5 * 50 * 0.0847 * 0.001, 0.01 * 50 * 0.0847 * 0.001),
    }
    members = {
        "raw_materials": ["cu", "pcb", "inbound"],
        "manufacturing": ["elec/grid", "elec/green_trading", "elec/onsite", "gas"],
        "distribution": ["outbound"],
        "use": ["run"],
        "end_of_life": ["dispose", "sort", "removal"],
    }
    stages = {
        s: (
            sum(act[k][0] for k in keys),
            # every activity datum is a separate, uncorrelated input: (4), (10), (18)
            math.sqrt(sum(act[k][1] ** 2 for k in keys)),
        )
        for s, keys in members.items()
    }
    total = sum(v for v, _ in stages.values())  # (1)
    u_total = math.sqrt(sum(u**2 for _, u in stages.values()))  # (2)
    return {
        "activities": act,
        "members": members,
        "stages": stages,
        "total": total,
        "u": u_total,
        "U": 2 * u_total,
        "U_rel": 100 * 2 * u_total / total,
    }


@pytest.fixture
def full_study(write_study: Callable[..., Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A study with every stage and every activity kind, and its hand-worked values."""
    yield write_study(FULL_ACTIVITIES), full_expected()
