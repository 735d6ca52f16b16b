"""Findings: what a data-governance check reports, each citing the clause of the spec.

>>> f = Finding.error("cutoff.single", "§5.1", "单个舍弃环节占比 1.0 %", "one excluded process is "
...     "1.0 % of the total", path="excluded[0]")
>>> f.level, f.message("en")
(<Level.ERROR: 'error'>, 'one excluded process is 1.0 % of the total')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Level", "count_levels", "sort_findings"]


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

    @classmethod
    def error(cls, code: str, clause: str, zh: str, en: str, path: str = "") -> Finding:
        """An error finding."""
        return cls(Level.ERROR, code, clause, zh, en, path)

    @classmethod
    def warning(cls, code: str, clause: str, zh: str, en: str, path: str = "") -> Finding:
        """A warning finding."""
        return cls(Level.WARNING, code, clause, zh, en, path)

    @classmethod
    def info(cls, code: str, clause: str, zh: str, en: str, path: str = "") -> Finding:
        """An informational finding."""
        return cls(Level.INFO, code, clause, zh, en, path)

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (zh or en)."""
        return self.message_zh if lang == "zh" else self.message_en

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form used by ``tanzuji check --json``."""
        return {
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
