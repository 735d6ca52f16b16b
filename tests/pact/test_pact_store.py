"""Export of a stored revision: `tanzuji save`, then `tanzuji pact export <revision id>`."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from typer.testing import CliRunner, Result

from tanzuji.pact.schema import footprint_errors

ROOT = Path(__file__).resolve().parents[2]
_CONFIG = Path(tempfile.mkdtemp(prefix="tz_pact_cfg")) / "config.toml"
_CONFIG.write_text("", encoding="utf-8")


def _invoke(*args: str, db: str) -> Result:
    from tanzuji.cli import app

    env = {
        "TANZUJI_LANG": "zh",
        "TANZUJI_CONFIG": str(_CONFIG),
        "TANZUJI_DATABASE_URL": db,
        "TANZUJI_ORG": None,
    }
    return CliRunner().invoke(app, list(args), env=env)


def test_export_a_stored_revision(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tz.db'}"
    assert _invoke("db", "init", db=db).exit_code == 0
    saved = _invoke("save", str(ROOT / "examples" / "single-phase-meter"), "--json", db=db)
    assert saved.exit_code == 0, saved.output
    rev = json.loads(saved.stdout)["revision"]
    out = tmp_path / "rev.pact.json"
    run = _invoke("pact", "export", rev[:12], "--out", str(out), db=db)
    assert run.exit_code == 0, run.output
    pf = json.loads(out.read_text(encoding="utf-8"))
    assert footprint_errors(pf) == []
    from_file = _invoke("pact", "export", str(ROOT / "examples" / "single-phase-meter"), db=db)
    same = json.loads(from_file.stdout)
    assert pf["pcf"]["pcfExcludingBiogenicUptake"] == same["pcf"]["pcfExcludingBiogenicUptake"]
