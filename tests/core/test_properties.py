"""Property tests (hypothesis) of the specification's method on random studies.

Random studies mix every activity kind. An independent oracle (the spec's formulas written
out below, not the program) gives each stage's E and u; the properties then check
scaling, additivity (1), root-sum-square (2), U = 2u, shares and order independence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tanzuji.model import Stage

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REL = 1e-9

STAGES = [s.value for s in Stage]
TRANSPORT_STAGES = ["raw_materials", "distribution", "end_of_life"]
#: factor id → (activity unit, kg or kWh per activity unit)
FLOW_FACTORS = {
    "copper": [("kg", 1.0), ("t", 1000.0), ("g", 0.001)],
    "grid": [("kWh", 1.0), ("MWh", 1000.0)],
    "diesel": [("kg", 1.0)],
    "natgas": [("m³", 1.0)],
}

quantity = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e4))
fraction = st.floats(min_value=0.0, max_value=0.5)


@dataclass(frozen=True)
class Act:
    """One random activity: its YAML-like dict, and its value and u worked out by hand."""

    kind: str
    stage: str
    data: dict[str, Any]
    scalable: tuple[float, ...] = ()

    def as_dict(self, s: float = 1.0) -> dict[str, Any]:
        return build(self, s)


def build(a: Act, s: float) -> dict[str, Any]:
    """The activity dict with every activity quantity (and its standard u) scaled by s."""
    d = a.data
    base = {"stage": a.stage, "name": d["name"]}
    if a.kind == "flow":
        return {**base, "quantity": d["q"] * s, "unit": d["unit"], "factor": d["factor"],
                "uncertainty": {"standard": d["u"] * s}}  # fmt: skip
    if a.kind == "dist":
        return {**base,
                "mass": {"quantity": d["m"] * s, "unit": "kg",
                         "uncertainty": {"standard": d["um"] * s}},
                "distance": {"quantity": d["d"], "unit": "km",
                             "uncertainty": {"standard": d["ud"]}},
                "factor": "road"}  # fmt: skip
    if a.kind == "energy":
        return {**base, "energy": [
            {"carrier": f, "quantity": q * s, "unit": unit, "factor": f,
             "uncertainty": {"standard": u * s}}
            for f, unit, q, u in d["carriers"]]}  # fmt: skip
    if a.kind == "elec":
        out = dict(base)
        for part, factor, q, u in d["parts"]:
            out[part] = {"quantity": q * s, "factor": factor, "uncertainty": {"standard": u * s}}
        return out
    assert a.kind == "op"
    # scaling the power scales M_use = P·t linearly (the duration stays)
    return {**base,
            "power": {"quantity": d["p"] * s, "unit": "W",
                      "uncertainty": {"standard": d["up"] * s}},
            "duration": {"quantity": d["t"], "unit": "h", "uncertainty": {"standard": d["ut"]}},
            "factor": "grid"}  # fmt: skip


def oracle(a: Act, ef: dict[str, float]) -> tuple[float, float]:
    """E and u of one activity by the spec's formulas, in kgCO2e."""
    d = a.data
    if a.kind == "flow":
        c = d["conv"] * ef[d["factor"]]  # (3)/(9)/(17): E = M·EF, u = u(M)·EF
        return d["q"] * c, d["u"] * c
    if a.kind == "dist":
        c = d["d"] * ef["road"] / 1000  # (7)/(8): sensitivity D·T, kg·km → t·km
        return d["m"] * c, d["um"] * c
    if a.kind == "energy":  # (5)/(6): Σ M_j·EF_j, u² = Σ u²(M_j)·EF_j²
        rows = [(f, q, u) for f, _unit, q, u in d["carriers"]]
    if a.kind == "elec":  # Table A.4: each part with its own factor
        rows = [(f, q, u) for _part, f, q, u in d["parts"]]
    if a.kind in ("energy", "elec"):
        e = math.fsum(q * ef[f] for f, q, _u in rows)
        return e, math.sqrt(math.fsum((u * ef[f]) ** 2 for f, _q, u in rows))
    # (15)/(16): M_use = P·t (Wh → kWh), u(M_use) first order in u(P), u(t)
    m = d["p"] * d["t"] / 1000
    um = math.sqrt((d["t"] * d["up"]) ** 2 + (d["p"] * d["ut"]) ** 2) / 1000
    return m * ef["grid"], um * ef["grid"]


@st.composite
def acts(draw: Any) -> Act:
    kind = draw(st.sampled_from(["flow", "dist", "energy", "elec", "op"]))
    name = f"a{draw(st.integers(0, 10**6))}"
    if kind == "flow":
        factor = draw(st.sampled_from(sorted(FLOW_FACTORS)))
        unit, conv = draw(st.sampled_from(FLOW_FACTORS[factor]))
        q = draw(quantity)
        data = {"name": name, "factor": factor, "unit": unit, "conv": conv, "q": q,
                "u": q * draw(fraction)}  # fmt: skip
        return Act(kind, draw(st.sampled_from(STAGES)), data)
    if kind == "dist":
        m, d = draw(quantity), draw(quantity)
        data = {"name": name, "m": m, "um": m * draw(fraction), "d": d, "ud": d * draw(fraction)}
        return Act(kind, draw(st.sampled_from(TRANSPORT_STAGES)), data)
    if kind == "energy":
        chosen = draw(
            st.lists(st.sampled_from([("diesel", "kg"), ("grid", "kWh"), ("gasoline", "kg")]),
                     min_size=1, max_size=3, unique=True)
        )  # fmt: skip
        carriers = []
        for f, unit in chosen:
            q = draw(quantity)
            carriers.append((f, unit, q, q * draw(fraction)))
        return Act(
            kind, draw(st.sampled_from(TRANSPORT_STAGES)), {"name": name, "carriers": carriers}
        )
    if kind == "elec":
        chosen = draw(
            st.lists(st.sampled_from([("grid", "grid"), ("green_trading", "green"),
                                      ("onsite", "pv")]),
                     min_size=1, max_size=3, unique=True)
        )  # fmt: skip
        parts = []
        for part, f in chosen:
            q = draw(quantity)
            parts.append((part, f, q, q * draw(fraction)))
        return Act(kind, draw(st.sampled_from(STAGES)), {"name": name, "parts": parts})
    p, t = draw(quantity), draw(quantity)
    data = {"name": name, "p": p, "up": p * draw(fraction), "t": t, "ut": t * draw(fraction)}
    return Act("op", "use", data)


studies = st.lists(acts(), min_size=1, max_size=8)


def expected_stages(activities: list[Act], ef: dict[str, float]) -> dict[str, tuple[float, float]]:
    out = {}
    for s in STAGES:
        vals = [oracle(a, ef) for a in activities if a.stage == s]
        out[s] = (math.fsum(v for v, _ in vals), math.sqrt(math.fsum(u * u for _, u in vals)))
    return out


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12 * max(scale, 1e-300))


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(studies)
def test_oracle_agrees_with_the_spec_formulas(calc, ef, activities):
    res = calc([a.as_dict() for a in activities])
    exp = expected_stages(activities, ef)
    for s in STAGES:
        r = res.stage(s)
        assert r is not None
        assert r.value == pytest.approx(exp[s][0], rel=REL, abs=1e-12)
        assert r.u == pytest.approx(exp[s][1], rel=REL, abs=1e-12)


@SETTINGS
@given(studies, st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_all_activity_quantities_scales_every_e_and_u(calc, activities, s):
    base = calc([a.as_dict() for a in activities])
    scaled = calc([a.as_dict(s) for a in activities])
    for stage in STAGES:
        r0, r1 = base.stage(stage), scaled.stage(stage)
        assert r0 is not None and r1 is not None
        assert r1.value == pytest.approx(s * r0.value, rel=REL, abs=1e-12)
        assert r1.u == pytest.approx(s * r0.u, rel=REL, abs=1e-12)
    assert scaled.total.value == pytest.approx(s * base.total.value, rel=REL, abs=1e-12)
    big_u0, big_u1 = base.total.U, scaled.total.U
    assert big_u1 == pytest.approx(s * big_u0, rel=REL, abs=1e-12)
    if base.total.value > 0:
        # relative expanded uncertainty is scale-free
        assert scaled.total.U_rel_percent == pytest.approx(base.total.U_rel_percent, rel=1e-9)


@SETTINGS
@given(studies)
def test_total_is_sum_of_stages_and_u_is_root_sum_square(calc, activities):
    res = calc([a.as_dict() for a in activities])
    stages = [r for r in res.stages.values() if r is not None]
    assert res.total.value == pytest.approx(math.fsum(r.value for r in stages), rel=1e-12)
    assert res.total.u**2 == pytest.approx(math.fsum(r.u**2 for r in stages), rel=1e-12, abs=0)
    assert res.total.k == 2.0
    big_u = res.total.U
    assert big_u == 2 * res.total.u
    if res.total.value > 0:
        assert res.total.U_rel_percent == pytest.approx(
            100 * res.total.U / res.total.value, rel=1e-12
        )
    else:
        assert res.total.U_rel_percent is None


@SETTINGS
@given(studies)
def test_contributions_sorted_shares_sum_to_one(calc, activities):
    res = calc([a.as_dict() for a in activities])
    vals = [abs(c.value) for c in res.contributions]
    assert vals == sorted(vals, reverse=True)
    assert math.fsum(c.value for c in res.contributions) == pytest.approx(
        res.total.value, rel=1e-12, abs=1e-12
    )
    # electricity supplies give one row per part, everything else one row per activity
    n_rows = sum(len(a.data["parts"]) if a.kind == "elec" else 1 for a in activities)
    assert len(res.contributions) == n_rows
    if res.total.value > 0:
        assert math.fsum(c.share for c in res.contributions) == pytest.approx(1.0, abs=1e-12)
        assert all(0 <= c.share <= 1 + 1e-12 for c in res.contributions)


@SETTINGS
@given(studies.flatmap(lambda xs: st.tuples(st.just(xs), st.permutations(xs))))
def test_values_do_not_depend_on_activity_order(calc, pair):
    original, shuffled = pair
    a = calc([x.as_dict() for x in original])
    b = calc([x.as_dict() for x in shuffled])
    for stage in STAGES:
        ra, rb = a.stage(stage), b.stage(stage)
        assert ra is not None and rb is not None
        assert rb.value == pytest.approx(ra.value, rel=1e-12, abs=1e-12)
        assert rb.u == pytest.approx(ra.u, rel=1e-12, abs=1e-12)
    assert b.total.value == pytest.approx(a.total.value, rel=1e-12, abs=1e-12)
    assert b.total.u == pytest.approx(a.total.u, rel=1e-12, abs=1e-12)
    # the same multiset of contributions (names are unique per draw, keys depend on order)
    key = lambda c: (c.activity, c.stage.value)  # noqa: E731
    va = sorted((key(c), c.value) for c in a.contributions)
    vb = sorted((key(c), c.value) for c in b.contributions)
    assert [k for k, _ in va] == [k for k, _ in vb]
    for (_, x), (_, y) in zip(va, vb, strict=True):
        assert y == pytest.approx(x, rel=1e-12, abs=1e-12)


@SETTINGS
@given(studies, st.sets(st.sampled_from(STAGES), min_size=1))
def test_boundary_subset(calc, ef, activities, boundary):
    inside = [a for a in activities if a.stage in boundary]
    if not inside:
        return
    res = calc([a.as_dict() for a in inside], boundary=sorted(boundary))
    exp = expected_stages(inside, ef)
    for s in STAGES:
        r = res.stage(s)
        if s in boundary:
            assert r is not None
            assert r.value == pytest.approx(exp[s][0], rel=REL, abs=1e-12)
        else:
            assert r is None
    assert res.total.value == pytest.approx(
        math.fsum(exp[s][0] for s in boundary), rel=REL, abs=1e-12
    )


def test_oracle_self_check(ef):
    # the oracle itself, on one hand-checked activity: 0.8 kg × 1200 km × 0.0847/1000
    a = Act("dist", "distribution", {"name": "x", "m": 0.8, "um": 0.02, "d": 1200, "ud": 100})
    e, u = oracle(a, ef)
    assert e == pytest.approx(0.081312, rel=1e-12)
    assert u == pytest.approx(0.0020328, rel=1e-12)
    assert replace(a, stage="end_of_life").stage == "end_of_life"
