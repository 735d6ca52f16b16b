"""Findings on activity data: unknown instruments, secondary data in manufacturing (§4),
primary data without an instrument, uncertainty evaluated, sources of secondary data."""

from __future__ import annotations

from typing import Any

from govhelpers import LIB, METER, cert, make_study

from tanzuji.governance import check_quantities, check_study, iter_quantities


def found(study: Any) -> list[tuple[str, str, str]]:
    return [(f.level.value, f.code, f.path) for f in check_quantities(study)]


def mfg(**kw: Any) -> dict[str, Any]:
    out = {
        "stage": "manufacturing",
        "name": "电",
        "quantity": 10,
        "unit": "kWh",
        "factor": "grid",
        **kw,
    }
    return {k: v for k, v in out.items() if v is not None}


def test_clean_activity_has_no_findings() -> None:
    assert found(make_study([mfg(instrument="EM")], instruments=[METER])) == []


def test_unknown_instrument_everywhere() -> None:
    study = make_study(
        [
            mfg(instrument="X1", uncertainty={"relative": 0.01}),
            mfg(
                calculated={
                    "model": "gas_standard_volume",
                    "volume": {"value": 1, "unit": "m**3", "instrument": "X2"},
                    "pressure": {"value": 101.325, "unit": "kPa"},
                    "temperature": {"value": 0, "unit": "degC"},
                },
                quantity=None,
                unit="m**3",
                factor="gas",
                uncertainty={"relative": 0.01},
            ),
            {
                "stage": "distribution",
                "name": "运",
                "factor": "road",
                "mass": {
                    "quantity": 1,
                    "unit": "kg",
                    "instrument": "X3",
                    "uncertainty": {"standard": 0.01},
                },
                "distance": {"quantity": 1, "unit": "km", "instrument": "EM"},
            },
        ],
        instruments=[METER],
    )
    unknown = [(p, lv) for lv, c, p in found(study) if c == "instrument.unknown"]
    assert unknown == [
        ("activities[0].instrument", "error"),
        ("activities[1].calculated.volume.instrument", "error"),
        ("activities[2].mass.instrument", "error"),
    ]


def test_secondary_in_manufacturing_is_an_error() -> None:
    study = make_study(
        [mfg(data_type="enterprise_statistics", source="台账", uncertainty={"relative": 0.02})]
    )
    assert found(study) == [("error", "data.secondary_in_manufacturing", "activities[0]")]
    # the same datum in the raw-material stage is allowed
    raw = make_study(
        [
            mfg(
                stage="raw_materials",
                data_type="enterprise_statistics",
                source="台账",
                uncertainty={"relative": 0.02},
            )
        ]
    )
    assert found(raw) == []
    off = make_study([mfg(data_type="offsite", uncertainty={"relative": 0.02})])
    assert found(off) == [("warning", "data.offsite_in_manufacturing", "activities[0]")]


def test_split_of_a_metered_total_is_a_warning() -> None:
    supply = {
        "stage": "manufacturing",
        "name": "生产用电",
        "unit": "kWh",
        "total": {"quantity": 10, "unit": "kWh", "instrument": "EM"},
        "grid": {"quantity": 8, "factor": "grid", "instrument": "EM"},
        "green_trading": {
            "quantity": 2,
            "factor": "grid",
            "data_type": "financial_settlement",
            "source": "结算单",
            "uncertainty": {"relative": 0.01},
        },
    }
    study = make_study([supply], instruments=[METER])
    assert found(study) == [
        ("warning", "data.secondary_split_in_manufacturing", "activities[0].green_trading")
    ]
    no_total = make_study([{k: v for k, v in supply.items() if k != "total"}], instruments=[METER])
    assert ("error", "data.secondary_in_manufacturing", "activities[0].green_trading") in found(
        no_total
    )


def test_primary_without_instrument_and_without_uncertainty() -> None:
    study = make_study(
        [mfg(), mfg(stage="use", data_type="onsite_measured")], boundary=["manufacturing", "use"]
    )
    assert found(study) == [
        ("warning", "data.primary_without_instrument", "activities[0]"),
        ("error", "data.no_uncertainty", "activities[0]"),  # §4: manufacturing must have u
        ("warning", "data.primary_without_instrument", "activities[1]"),
        ("warning", "data.no_uncertainty", "activities[1]"),
    ]
    # generic data (no data type, no instrument, outside manufacturing) default to
    # estimate: no "names no instrument" warning, but its source is asked for
    generic = make_study([mfg(stage="use", uncertainty={"relative": 0.1})])
    assert generic.activities[0].data_type.value == "estimate"
    assert found(generic) == [("warning", "data.secondary_no_source", "activities[0]")]
    # off-site primary data need no instrument of this site
    off = make_study([mfg(stage="use", data_type="offsite", uncertainty={"relative": 0.1})])
    assert found(off) == []


def test_secondary_without_source() -> None:
    study = make_study(
        [mfg(stage="use", data_type="literature", uncertainty={"min": 9, "max": 12})]
    )
    assert found(study) == [("warning", "data.secondary_no_source", "activities[0]")]


def test_not_derivable_and_incomplete_uncertainty() -> None:
    bare = {"id": "EM", "name": "表", "kind": "electricity_meter", "certificate": cert()}
    study = make_study([mfg(instrument="EM")], instruments=[bare])
    got = found(study)
    assert ("warning", "uncertainty.not_derivable", "activities[0]") in got
    assert ("error", "data.no_uncertainty", "activities[0]") in got
    gas = mfg(
        quantity=None,
        unit="m**3",
        factor="gas",
        calculated={
            "model": "gas_standard_volume",
            "volume": {"value": 1, "unit": "m**3", "uncertainty": {"relative": 0.01}},
            "pressure": {"value": 101.325, "unit": "kPa"},
            "temperature": {"value": 0, "unit": "degC", "uncertainty": {"standard": 0.5}},
        },
    )
    got = found(make_study([gas]))
    assert got == [
        ("warning", "data.primary_without_instrument", "activities[0]"),
        ("warning", "uncertainty.incomplete", "activities[0]"),
    ]


def test_scale_over_capacity() -> None:
    scale = {
        "id": "S",
        "name": "秤",
        "kind": "scale_nonautomatic",
        "accuracy_class": "III",
        "max_capacity": 3,
        "scale_interval": 0.001,
        "capacity_unit": "kg",
        "certificate": cert(),
    }
    study = make_study(
        [mfg(stage="raw_materials", quantity=3.5, unit="kg", factor="cu", instrument="S")],
        instruments=[scale],
    )
    assert found(study) == [("warning", "instrument.over_capacity", "activities[0]")]


def test_every_quantity_slot_is_visited() -> None:
    study = make_study(
        [
            mfg(),
            {
                "stage": "distribution",
                "name": "运",
                "factor": "road",
                "mass": {"quantity": 1, "unit": "kg"},
                "distance": {"quantity": 1, "unit": "km"},
            },
            {
                "stage": "distribution",
                "name": "运",
                "energy": [{"carrier": "diesel", "quantity": 1, "unit": "kg", "factor": "cu"}],
            },
            {
                "stage": "use",
                "name": "运行",
                "factor": "grid",
                "power": {"quantity": 1, "unit": "W"},
                "duration": {"quantity": 1, "unit": "h"},
            },
        ]
    )
    paths = [s.path for s in iter_quantities(study)]
    assert paths == [
        "activities[0]",
        "activities[1].mass",
        "activities[1].distance",
        "activities[2].energy[0]",
        "activities[3].power",
        "activities[3].duration",
    ]


def test_unused_instrument_and_compile_errors_become_findings() -> None:
    spare = METER | {"id": "SPARE"}
    study = make_study([mfg(instrument="EM", factor="nope")], instruments=[METER, spare])
    report = check_study(study, LIB)
    got = [(f.level.value, f.code, f.path) for f in report.findings]
    assert ("info", "instrument.unused", "instruments[1]") in got
    assert ("error", "input.invalid", "activities[0].factor") in got
    assert report.data_quality is None and report.cutoff is None and not report.ok


def test_metered_total_instrument_is_checked() -> None:
    supply = {
        "stage": "manufacturing",
        "name": "生产用电",
        "unit": "kWh",
        "total": {"quantity": 10, "unit": "kWh", "instrument": "EM-X"},
        "grid": {"quantity": 10, "factor": "grid", "instrument": "EM"},
    }
    study = make_study([supply], instruments=[METER])
    assert found(study) == [("error", "instrument.unknown", "activities[0].total.instrument")]


def test_ct_ratio_mismatch_with_the_register() -> None:
    meter = METER | {"ct_ratio": "400/5"}
    calc = {"model": "register_difference", "start": 0, "end": 10, "instrument": "EM"}
    study = make_study(
        [mfg(quantity=None, unit=None, calculated=calc | {"ct_ratio": "200/5"})],
        instruments=[meter],
    )
    assert found(study) == [
        ("warning", "instrument.ratio_mismatch", "activities[0].calculated.ct_ratio")
    ]
    same = make_study(
        [mfg(quantity=None, unit=None, calculated=calc | {"ct_ratio": 80})], instruments=[meter]
    )
    assert found(same) == []


def test_a_legs_distance_without_uncertainty_is_said_like_its_mass() -> None:
    """Transport activity data are mass × distance (t·km): a distance without an evaluated
    uncertainty counts with u = 0 exactly as a mass would, and is said so."""

    def leg(**kw: Any) -> dict[str, Any]:
        return {
            "stage": "distribution",
            "name": {"zh": "产品运输", "en": "Product delivery"},
            "mode": "road",
            "data_type": "estimate",
            "source": "物流合同",
            "factor": "road",
            "mass": {"quantity": 0.8, "unit": "kg", **kw.get("mass", {})},
            "distance": {"quantity": 1200, "unit": "km", **kw.get("distance", {})},
        }

    u = {"uncertainty": {"standard": 1}}
    assert found(make_study([leg(mass=u, distance=u)])) == []
    only_mass = make_study([leg(mass=u)])
    assert found(only_mass) == [("warning", "data.no_uncertainty", "activities[0].distance")]
    (f,) = check_quantities(only_mass)
    assert f.message("zh") == "“产品运输”的运输距离未评定测量不确定度"
    assert (
        f.message("en")
        == "no measurement uncertainty is evaluated for the distance of 'Product delivery'"
    )
    assert found(make_study([leg()])) == [
        ("warning", "data.no_uncertainty", "activities[0].mass"),
        ("warning", "data.no_uncertainty", "activities[0].distance"),
    ]
