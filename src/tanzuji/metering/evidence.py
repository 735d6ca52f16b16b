"""The metered evidence of a study, for the evaluation report.

A study written by ``tanzuji meter ingest --study … --out …`` names its ingest record in the
``source`` of each metered activity and shared quantity (``evidence in <name>.metering.json``).
:func:`metered_evidence` finds that record beside the study and returns what the report's
metering section (``report/templates/_metering.html.j2``) shows: the energy of each meter
± u with its basis, the groups, the findings, and the reading files kept by content (sha256).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tanzuji.model import Study

__all__ = ["metered_evidence", "sidecar_names"]

_SIDECAR = re.compile(r"evidence in (\S+\.metering\.json)")


def sidecar_names(study: Study) -> list[str]:
    """The ingest records named by the study's activities and shared quantities."""
    texts: list[str] = []
    for act in study.activities:
        texts.append(act.source or "")
        for part in ("grid", "green_trading", "onsite"):
            p = getattr(act, part, None)
            if p is not None:
                texts.append(p.source or "")
    texts.extend(q.source or "" for q in study.quantities)
    names: list[str] = []
    for text in texts:
        for m in _SIDECAR.finditer(text):
            if m.group(1) not in names:
                names.append(m.group(1))
    return names


def _fmt(value: float, u: float) -> tuple[str, str]:
    from tanzuji.uncertainty import round_result

    if u > 0:
        r = round_result(value, u)
        return r.value, r.U
    return f"{value:.6g}", "0"


def metered_evidence(
    study: Study, base_dir: Path | None, lang: str = "zh"
) -> dict[str, Any] | None:
    """The report context of the metered evidence, or None when the study has none (or its
    record is not beside it)."""
    if base_dir is None:
        return None
    records = []
    for name in sidecar_names(study):
        path = base_dir / Path(name).name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        records.append((name, data))
    if not records:
        return None
    zh = lang == "zh"
    meters, groups, findings, files = [], [], [], []
    levels = {"error": "错误", "warning": "警告", "info": "提示"}
    for name, data in records:
        for m in data.get("meters", []):
            v, u = _fmt(m["energy"], m["u"])
            meters.append(
                {
                    "meter": m["meter"],
                    "instrument": m["instrument"],
                    "energy": v,
                    "u": u,
                    "unit": m["unit"],
                    "filled": f"{m['filled']:.4g}",
                    "basis": m["basis"]["zh" if zh else "en"],
                }
            )
        for g in data.get("groups", []):
            v, u = _fmt(g["energy"], g["u"])
            groups.append(
                {
                    "id": g["id"],
                    "meters": ", ".join(g["meters"]),
                    "energy": v,
                    "u": u,
                    "unit": g["unit"],
                }
            )
        for f in data.get("findings", []):
            span = f["start"] if f["start"] == f["end"] else f"{f['start']} – {f['end']}"
            findings.append(
                {
                    "level": levels[f["level"]] if zh else f["level"],
                    "severity": f["level"],
                    "meter": f["meter"],
                    "span": span.strip(" –"),
                    "message": f["message"]["zh" if zh else "en"],
                }
            )
        for e in [*data.get("evidence", []), *([data["mapping"]] if data.get("mapping") else [])]:
            files.append({"path": e["path"], "sha256": e["sha256"], "size": e["size"]})
        files.append({"path": name, "sha256": "", "size": path_size(base_dir / name)})
    period = records[0][1].get("period", {})
    return {
        "title": "计量数据（电能表读数）" if zh else "Metered data (meter readings)",
        "period": f"{period.get('start', '')} – {period.get('end', '')}",
        "timezone": records[0][1].get("timezone", ""),
        "meters": meters,
        "groups": groups,
        "findings": findings,
        "files": files,
        "t": {
            "intro": (
                "以下电量由 tanzuji meter ingest 从电能表读数计算，读数文件按内容（SHA-256）"
                "保存在研究文件旁，可随时复核。"
                if zh
                else "The energies below were computed by tanzuji meter ingest from the meter "
                "readings; the reading files are kept beside the study by content (SHA-256) "
                "so that anyone can re-check them."
            ),
            "meter": "电能表" if zh else "Meter",
            "instrument": "计量器具" if zh else "Instrument",
            "energy": "电量" if zh else "Energy",
            "unit": "单位" if zh else "Unit",
            "filled": "补测电量" if zh else "Filled",
            "basis": "不确定度依据" if zh else "Basis of u",
            "group": "组" if zh else "Group",
            "meters": "电能表" if zh else "Meters",
            "findings": "读数清洗发现" if zh else "Findings of the cleaning",
            "level": "级别" if zh else "Level",
            "span": "时段" if zh else "Time span",
            "message": "说明" if zh else "Message",
            "files": "证据文件" if zh else "Evidence files",
            "file": "文件" if zh else "File",
            "size": "字节" if zh else "Bytes",
            "period": "评价周期" if zh else "Period",
        },
    }


def path_size(path: Path) -> int:
    """Size of a file, 0 when missing."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
