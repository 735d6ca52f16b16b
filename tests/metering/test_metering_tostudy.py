"""Metered energy into the study: every meter one input, its systematic error a shared
correction (the study's named shared quantities), so full GUM and Monte Carlo keep the
correlation between the activities that meters feed. Expected numbers by hand."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tanzuji.calculation import compile_study, evaluate_full, evaluate_monte_carlo
from tanzuji.factors import FactorLibrary
from tanzuji.metering import ingest
from tanzuji.metering.tostudy import study_with_metering
from tanzuji.model import EmissionFactor, Study
from tanzuji.model.base import Period

from .conftest import N, times

WEEK = Period(start="2025-01-06", end="2025-01-12")
SQ3 = math.sqrt(3.0)

# two class-1 meters calibrated together (CAL-1); B reads through a class-0.5 CT
MAPPING = """\
timezone: Asia/Shanghai
unit: kWh
columns: {timestamp: time, meter: meter, value: kwh}
instruments:
  - {id: A, name: 一号线, kind: electricity_meter, accuracy_class: "1",
     certificate: {number: C1, date: 2024-12-20, valid_until: 2026-12-19}}
  - {id: B, name: 二号线, kind: electricity_meter, accuracy_class: "1", ct_ratio: 400/5,
     ct_class: "0.5", certificate: {number: C2, date: 2024-12-20, valid_until: 2026-12-19}}
meters:
  - {id: A, instrument: A, resolution: 0.01, calibration: CAL-1}
  - {id: B, instrument: B, resolution: 0.01, calibration: CAL-1}
groups:
  - {id: grid, role: grid, meters: [A, B], factor: grid}
allocation:
  product_model: P
  models:
    - {model: P, output: 1000, bom_quantity: 1}
    - {model: O, output: 3000, bom_quantity: 1}
"""


def _lib() -> FactorLibrary:
    ef = EmissionFactor.model_validate(
        {
            "id": "grid",
            "name": "grid",
            "value": 0.5,
            "unit": "kgCO2e/kWh",
            "factor_type": "national_database",
            "source": "t",
        }
    )
    return FactorLibrary.from_factors([ef], id="t")


def _study(
    tmp_path: Path, mapping: str, rates: tuple[tuple[str, float], ...] = (("A", 2.0), ("B", 1.0))
) -> tuple[Study, Any]:
    m = tmp_path / "mapping.yaml"
    m.write_text(mapping, encoding="utf-8")
    t = times().strftime("%Y-%m-%d %H:%M")
    data = tmp_path / "r.csv"
    pd.concat(
        [pd.DataFrame({"time": t, "meter": k, "kwh": np.full(N, r)}) for k, r in rates],
        ignore_index=True,
    ).to_csv(data, index=False)
    result = ingest(m, [data], WEEK)
    base = {
        "id": "S",
        "product": {"name": "灯"},
        "period": {"start": "2025-01-06", "end": "2025-01-12"},
        "boundary": ["manufacturing"],
        "activities": [],
    }
    new, _ = study_with_metering(base, result, "x.metering.json")
    return Study.model_validate(new), result


def test_metering_two_meters_shared_calibration_full_gum_and_monte_carlo(tmp_path):
    study, result = _study(tmp_path, MAPPING)
    model = compile_study(study, _lib())
    # each meter is ONE input; the calibration's own-meter error is ONE input feeding both
    assert {"Q:meter.A", "Q:meter.B", "Q:calibration.CAL-1", "Q:meter.B.ct_pt"} <= set(model.inputs)
    assert len(model.inputs["Q:calibration.CAL-1"].used_by) == 2
    assert "Q:meter.A.ct_pt" not in model.inputs  # A has no CT
    # hand calculation, per functional unit s = 1/4000, factor f = 0.5 kgCO2e/kWh
    ea, eb, s, f = 672 * 2.0, 672 * 1.0, 1 / 4000, 0.5
    r_own = 0.01 / SQ3  # class 1: MPE 1 %, rectangular
    r_ct = 0.005 / SQ3  # CT class 0.5
    u_res = 0.01 * math.sqrt(672 / 12)  # each meter: 672 rounded values, d = 0.01 kWh
    var = (
        u_res**2
        + u_res**2
        + (eb * r_ct) ** 2
        + (ea * r_own) ** 2
        + (eb * r_own) ** 2
        + 2 * ea * eb * r_own**2  # covariance through the shared calibration
    )
    expected = f * s * math.sqrt(var)
    full = evaluate_full(model)
    assert full.total.value == pytest.approx(f * s * (ea + eb), rel=1e-12)
    assert full.total.u == pytest.approx(expected, rel=1e-4)
    # without the covariance term u would be clearly smaller: the test can tell them apart
    independent = f * s * math.sqrt(var - 2 * ea * eb * r_own**2)
    assert full.total.u > independent * 1.15
    # the group's u from the metering budget (second method) agrees
    assert f * s * result.group("grid").u == pytest.approx(full.total.u, rel=1e-4)
    # Monte Carlo over the same model
    mc = evaluate_monte_carlo(model, full, trials=200_000, seed=14)
    assert mc.result.u == pytest.approx(expected, rel=0.02)


def test_metering_meter_feeding_two_activities_is_one_input(tmp_path):
    # meter A alone in a grid part and, as a carrier reading, in a second activity (e.g. a
    # sub-meter booked under two processes): one input Q:meter.A, its error counted once
    mapping = MAPPING.replace("calibration: CAL-1}", "}").replace(
        "  - {id: grid, role: grid, meters: [A, B], factor: grid}",
        "  - {id: grid, role: grid, meters: [A], factor: grid}\n"
        "  - {id: again, role: carrier, meters: [A], factor: grid}",
    )
    study, _ = _study(tmp_path, mapping)
    model = compile_study(study, _lib())
    assert len(model.inputs["Q:meter.A"].used_by) == 2
    assert len(model.inputs["Q:meter.A.error"].used_by) == 2
    ea, s, f = 672 * 2.0, 1 / 4000, 0.5
    u_res = 0.01 * math.sqrt(672 / 12)
    # Y = 2·f·s·E_A·c_A: fully correlated, so u = 2·f·s·√(u_res² + (E_A·r)²)
    expected = 2 * f * s * math.hypot(u_res, ea * 0.01 / SQ3)
    full = evaluate_full(model)
    assert full.total.u == pytest.approx(expected, rel=1e-4)
    mc = evaluate_monte_carlo(model, full, trials=200_000, seed=3)
    assert mc.result.u == pytest.approx(expected, rel=0.02)


def test_metering_service_checks_the_request_before_any_work(tmp_path):
    from tanzuji.errors import InputError
    from tanzuji.services.metering import ingest_readings, parse_period

    assert (parse_period("2025").start.isoformat(), parse_period("2025").end.isoformat()) == (
        "2025-01-01",
        "2025-12-31",
    )
    study = Path(__file__).parents[2] / "examples" / "single-phase-meter" / "study.yaml"
    missing = tmp_path / "nowhere" / "s.yaml"
    with pytest.raises(InputError) as exc:  # no reading is read: the files do not exist
        ingest_readings(tmp_path / "m.yaml", [tmp_path / "r.csv"], WEEK, study=study, out=missing)
    assert "nowhere" in str(exc.value)
    with pytest.raises(InputError, match="--study"):
        ingest_readings(tmp_path / "m.yaml", [tmp_path / "r.csv"], WEEK, out=missing)


BILLING = (
    MAPPING.replace(
        "  - {id: B, instrument: B, resolution: 0.01, calibration: CAL-1}",
        "  - {id: UT, instrument: B, resolution: 0.01, measures: billing, reconcile: [A]}",
    )
    .replace("calibration: CAL-1}", "}")
    .replace("meters: [A, B]", "meters: [A]")
)


@pytest.mark.parametrize(("billing", "agrees"), [(2.02, True), (2.2, False)])
def test_metering_billing_total_checked_with_the_meters_systematic_errors(
    tmp_path, billing, agrees
):
    """The billing meter is the split's metered total, with its own correction. Its
    consistency check counts both meters' systematic errors: 1 % apart is within
    2·√(u_A² + u_UT²) ≈ 2·√(0.577² + 0.577² + 0.289²) % = 1.73 %, 10 % apart is not."""
    from tanzuji.errors import InputErrors

    study, _ = _study(tmp_path, BILLING, (("A", 2.0), ("UT", billing)))
    (act,) = study.activities
    assert act.total is not None and act.total.ref == "meter.UT"
    assert act.total.corrections == ("meter.UT.error",)
    if agrees:
        compile_study(study, _lib())
    else:
        from tanzuji.i18n import use_lang

        with use_lang("en"), pytest.raises(InputErrors, match="does not match the metered total"):
            compile_study(study, _lib())
