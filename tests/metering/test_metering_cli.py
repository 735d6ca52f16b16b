"""``tanzuji meter ingest`` into a new study; the Dask path on a LocalCluster."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tanzuji.cli import app
from tanzuji.metering import Execution, ingest
from tanzuji.model.base import Period
from tanzuji.studyfiles import evaluate_file, load_study

from .conftest import MAPPING, PERIOD, N

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "single-phase-meter" / "study.yaml"


def test_meter_cli_ingest_prints_energy_and_findings(week):
    res = CliRunner().invoke(
        app, ["meter", "ingest", str(week[0]), str(week[1]), "--period", PERIOD, "--lang", "en"]
    )
    assert res.exit_code == 0, res.output
    assert "Energy per meter" in res.output and "EM-01" in res.output
    assert "1344" in res.output  # 672 × 2 kWh


def test_meter_cli_ingest_writes_new_study_with_evidence(week, tmp_path):
    before = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    (tmp_path / "new").mkdir()
    out = tmp_path / "new" / "study.yaml"
    res = CliRunner().invoke(
        app,
        [
            "meter",
            "ingest",
            str(week[0]),
            str(week[1]),
            "--period",
            PERIOD,
            "--study",
            str(EXAMPLE),
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() == before  # input untouched
    study = load_study(out).study
    act = next(a for a in study.activities if a.id == "mfg-electricity")
    # allocation by output: 1000 of 4000 pieces → per unit = E / 4000
    assert act.grid.quantity == pytest.approx(N * 2.0 / 4000)
    assert act.onsite.quantity == pytest.approx(N * 0.5 / 4000)
    assert act.green_trading.quantity == pytest.approx(N * 1.0 / 4000)
    assert act.grid.instrument == "EM-01"
    # each single-meter group is one named shared quantity: one input per meter
    assert act.grid.ref == "meter.EM-01" and act.onsite.ref == "meter.EM-03"
    q = study.quantity("meter.EM-01")
    assert q.quantity == pytest.approx(N * 2.0 / 4000) and q.instrument == "EM-01"
    assert act.grid.uncertainty.standard > 0
    # evidence: the readings themselves, content-addressed, and the sidecar naming them
    side = json.loads((out.parent / "study.metering.json").read_text("utf-8"))
    ev = side["evidence"][0]
    kept = out.parent / ev["path"]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == ev["sha256"]
    assert kept.read_bytes() == week[1].read_bytes()
    # the report's metering section finds the record through the activities' sources
    from tanzuji.metering.evidence import metered_evidence

    ctx = metered_evidence(study, out.parent, "en")
    assert ctx is not None
    assert [m["meter"] for m in ctx["meters"]] == ["EM-01", "EM-03", "EM-04"]
    assert ev["sha256"] in [f["sha256"] for f in ctx["files"]]
    # the new study evaluates
    _, result = evaluate_file(out)
    assert result.total.value > 0
    # without --force the output is not replaced
    again = CliRunner().invoke(
        app,
        [
            "meter",
            "ingest",
            str(week[0]),
            str(week[1]),
            "--period",
            PERIOD,
            "--study",
            str(EXAMPLE),
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert again.exit_code != 0


def test_meter_billing_reconciliation_finding(week, tmp_path):
    mapping = tmp_path / "billing.yaml"
    mapping.write_text(
        MAPPING.replace(
            "  - {id: EM-04, measures: green_feeder, instrument: EM-04}",
            "  - {id: EM-04, measures: billing, instrument: EM-04, reconcile: [EM-03]}",
        ),
        encoding="utf-8",
    )
    # EM-04 reads 1 kWh, EM-03 0.5 kWh per interval: 672 vs 336 kWh, far beyond U
    r = ingest(mapping, [week[1]], Period(start="2025-01-06", end="2025-01-12"))
    (f,) = [f for f in r.findings if f.code.startswith("reconcile")]
    assert f.code == "reconcile.billing" and f.level == "warning" and f.meter == "EM-04"


def test_meter_dask_local_cluster_gives_the_same_result(week):
    import distributed  # a pinned dependency of tanzuji: never skipped

    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # HTTP routes on a free local port
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        period = Period(start="2025-01-06", end="2025-01-12")
        remote = ingest(week[0], [week[1]], period, execution=Execution(scheduler=address))
    local = ingest(week[0], [week[1]], period)
    assert [(m.meter, m.energy, m.u) for m in remote.meters] == [
        (m.meter, m.energy, m.u) for m in local.meters
    ]


def test_meter_bundled_example_finds_every_planted_defect():
    """The bundled readings (generate.py) carry a gap per fill method, a duplicated row, a
    clock 2 minutes late for a day and a daily register; ingest reports each one."""
    folder = EXAMPLE.parent / "metering"
    r = ingest(
        folder / "mapping.yaml", [folder / "readings-2025.csv.gz"], Period.model_validate(2025)
    )
    found = {(f.meter, f.code) for f in r.findings}
    assert ("EM-11", "readings.gap") in found and ("EM-12", "readings.gap") in found
    assert ("EM-01", "readings.duplicate") in found
    assert ("EM-01", "readings.clock_shift") in found
    assert ("UT-01", "reconcile.billing_ok") in found
    assert not [f for f in r.findings if f.level == "error"]
    gap = next(f for f in r.findings if f.meter == "EM-12" and f.code == "readings.gap")
    assert (gap.start, gap.end) == ("2025-07-08 00:00", "2025-07-10 00:00")
    # the PV register covers the whole year: no gap, energy = last − first frozen value
    assert ("EM-02", "readings.gap") not in found


def test_meter_cli_convert_then_ingest_parquet(week, tmp_path):
    out = tmp_path / "parts"
    res = CliRunner().invoke(
        app, ["meter", "convert", str(week[0]), str(week[1]), "--out", str(out), "--lang", "en"]
    )
    assert res.exit_code == 0, res.output
    assert "wrote 2016 rows" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["mapping.yaml", "part-00000.parquet"]
    again = CliRunner().invoke(
        app, ["meter", "convert", str(week[0]), str(week[1]), "--out", str(out)]
    )
    assert again.exit_code != 0  # not empty: needs --force
    r = ingest(out / "mapping.yaml", [out], Period(start="2025-01-06", end="2025-01-12"))
    assert r.meter("EM-01").energy == pytest.approx(N * 2.0)


def test_meter_cli_save_stores_revision_and_readings(week, tmp_path):
    from tanzuji.config import load_config
    from tanzuji.services.context import store_from_config
    from tanzuji.store import UnitOfWork

    db = tmp_path / "tz.db"
    out = tmp_path / "study.yaml"
    args = [
        "meter",
        "ingest",
        str(week[0]),
        str(week[1]),
        "--period",
        PERIOD,
        "--study",
        str(EXAMPLE),
        "--out",
        str(out),
        "--quiet",
        "--save",
        "--database-url",
        str(db),
    ]
    missing = CliRunner().invoke(app, args)
    assert missing.exit_code != 0 and not out.exists()  # no store: refused before any work
    assert CliRunner().invoke(app, ["db", "init", "--database-url", str(db)]).exit_code == 0
    res = CliRunner().invoke(
        app,
        [
            "meter",
            "ingest",
            str(week[0]),
            str(week[1]),
            "--period",
            PERIOD,
            "--study",
            str(EXAMPLE),
            "--out",
            str(out),
            "--quiet",
            "--save",
            "--database-url",
            str(db),
        ],
    )
    assert res.exit_code == 0, res.output
    sha = hashlib.sha256(week[1].read_bytes()).hexdigest()
    store = store_from_config(load_config().with_overrides(database_url=str(db)))
    with UnitOfWork(store, write=False) as uow:
        assert uow.revisions.blob(sha) == week[1].read_bytes()  # the readings themselves
        row = uow.revisions.study(uow.orgs.get("default").id, "EX-SP-2025")
        assert row is not None and len(uow.revisions.history(row.id)) == 1
