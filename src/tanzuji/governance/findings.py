"""Findings: what a data-governance check reports, each citing the clause of the spec.

Every finding has a **stable id** ``CODE:SUBJECT`` — the code in upper case and the thing
it is about, named as the study names it (a certificate number, an instrument or activity
id, an excluded process) rather than by its position in a list, so that the id survives
reordering and re-running ``check``. A blocking finding is accepted at issue time only by
its id (``tanzuji report --accept CERTIFICATE_EXPIRED:JD-EM-2025-0107 --reason …``).

>>> f = Finding.error("cutoff.single", "§5.1", "单个舍弃环节占比 1.0 %", "one excluded process is "
...     "1.0 % of the total", path="excluded[0]")
>>> f.level, f.message("en")
(<Level.ERROR: 'error'>, 'one excluded process is 1.0 % of the total')
>>> f.id
'CUTOFF_SINGLE:excluded[0]'
>>> Finding.error("certificate.expired", "§6.1", "", "", subject="JD-EM-2025-0107").id
'CERTIFICATE_EXPIRED:JD-EM-2025-0107'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from tanzuji.model import Study

__all__ = ["Finding", "Level", "count_levels", "identify", "sort_findings"]


class Level(StrEnum):
    """Severity of a finding: an error fails ``tanzuji check``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def zh(self) -> str:
        """Chinese label."""
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for infos."""
        return list(Level).index(self)


@dataclass(frozen=True)
class Finding:
    """One finding: level, stable code, clause cited, message in Chinese and English, path.

    ``path`` points into the study, e.g. ``instruments[2].certificate.valid_until`` or
    ``activities[4]``; empty for findings about the study as a whole.
    """

    level: Level
    code: str
    clause: str
    message_zh: str
    message_en: str
    path: str = ""
    subject: str = ""
    """What the finding is about, as the study names it (see :func:`identify`)."""

    @classmethod
    def error(
        cls, code: str, clause: str, zh: str, en: str, path: str = "", subject: str = ""
    ) -> Finding:
        """An error finding."""
        return cls(Level.ERROR, code, clause, zh, en, path, subject)

    @classmethod
    def warning(
        cls, code: str, clause: str, zh: str, en: str, path: str = "", subject: str = ""
    ) -> Finding:
        """A warning finding."""
        return cls(Level.WARNING, code, clause, zh, en, path, subject)

    @classmethod
    def info(
        cls, code: str, clause: str, zh: str, en: str, path: str = "", subject: str = ""
    ) -> Finding:
        """An informational finding."""
        return cls(Level.INFO, code, clause, zh, en, path, subject)

    @property
    def id(self) -> str:
        """The stable id ``CODE:SUBJECT`` (subject: ``subject``, else the path, else STUDY)."""
        code = re.sub(r"[^A-Z0-9]+", "_", self.code.upper()).strip("_")
        return f"{code}:{self.subject or self.path or 'STUDY'}"

    @property
    def blocking(self) -> bool:
        """Whether the finding blocks issuing a signed report (errors do)."""
        return self.level is Level.ERROR

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (zh or en)."""
        return self.message_zh if lang == "zh" else self.message_en

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form used by ``tanzuji check --json``."""
        return {
            "id": self.id,
            "level": self.level.value,
            "code": self.code,
            "clause": self.clause,
            "path": self.path,
            "message": {"zh": self.message_zh, "en": self.message_en},
        }


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then infos; stable within a level.

    >>> [f.level.value for f in sort_findings([Finding.info("a", "", "", ""),
    ...     Finding.error("b", "", "", "")])]
    ['error', 'info']
    """
    return sorted(findings, key=lambda f: f.level.rank)


def count_levels(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each level (all three keys present).

    >>> count_levels([Finding.warning("w", "", "", "")])
    {'error': 0, 'warning': 1, 'info': 0}
    """
    out = {level.value: 0 for level in Level}
    for f in findings:
        out[f.level.value] += 1
    return out


_INDEXED = re.compile(r"^(instruments|activities|excluded)\[(\d+)\]")


def _subject(f: Finding, study: Study) -> str:
    """The stable subject of a finding from its path into ``study``."""
    m = _INDEXED.match(f.path)
    if m is None:
        return f.path.split(".")[0] if f.path else "STUDY"
    kind, i = m.group(1), int(m.group(2))
    try:
        if kind == "instruments":
            inst = study.instruments[i]
            cert = inst.certificate
            if f.code.startswith("certificate.") and cert is not None and cert.number:
                return str(cert.number)
            return inst.id
        if kind == "activities":
            act = study.activities[i]
            return act.id or str(act.name)
        return study.excluded[i].name
    except IndexError:
        return f.path


def identify(findings: Iterable[Finding], study: Study) -> list[Finding]:
    """The findings with their stable subjects filled in (ids unique within the list).

    >>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
    ...     "instruments": [{"id": "EM", "name": "总表", "kind": "electricity_meter",
    ...         "certificate": {"number": "JD-1", "date": "2024-01-01"}}],
    ...     "activities": [{"stage": "manufacturing", "id": "elec", "name": "电",
    ...         "quantity": 1, "unit": "kWh", "factor": "g"}]})
    >>> found = [Finding.error("certificate.expired", "", "", "", "instruments[0].certificate"),
    ...          Finding.warning("data.x", "", "", "", "activities[0].quantity"),
    ...          Finding.warning("data.x", "", "", "", "activities[0].unit"),
    ...          Finding.info("site.category", "", "", "", "site")]
    >>> [f.id for f in identify(found, study)]
    ['CERTIFICATE_EXPIRED:JD-1', 'DATA_X:elec', 'DATA_X:elec#2', 'SITE_CATEGORY:site']
    """
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for f in findings:
        g = f if f.subject else replace(f, subject=_subject(f, study))
        n = seen.get(g.id, 0) + 1
        seen[g.id] = n
        if n > 1:
            g = replace(g, subject=f"{g.subject}#{n}")
        out.append(g)
    return out
