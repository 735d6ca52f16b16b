"""Helpers shared by the report tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tanzuji.report.errors import FontError
from tanzuji.report.fonts import cjk_face

FIXTURE = Path(__file__).parent / "fixtures" / "meter"

# the fixture's four blocking findings (see `tanzuji check`), accepted for the signed report
ACCEPTED = (
    ("CERTIFICATE_NOT_YET_VALID:JD2025-001", "上一周期证书 JD2024-001 覆盖 1–2 月，已归档"),
    ("CERTIFICATE_EXPIRED:JD2024-077", "复检证书待出具，7 月起读数已与总表核对"),
    ("DATA_SECONDARY_IN_MANUFACTURING:forklift", "叉车未装计量器具，按结算量计"),
    ("CUTOFF_SINGLE:包装胶带", "测试夹具：保留此偏离以检验报告"),
)


def _tools_missing() -> str | None:
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        return "poppler-utils (pdftotext, pdftoppm) missing: run `make system-deps`"
    try:
        cjk_face()
    except FontError:
        return "no CJK font: run `make system-deps` (fonts-noto-cjk)"
    return None


SKIP = _tools_missing()
needs_tools = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


@dataclass(frozen=True)
class Keys:
    key: Path
    cert: Path


@dataclass(frozen=True)
class Report:
    pdf: Path
    html: Path
    pages: list[str]
    """pdftotext -layout of each page."""
    raw: str
    """pdftotext in reading order (wrapped table cells stay together)."""
    output: str = ""
    """What ``tanzuji report`` printed."""

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def flat(self) -> str:
        """All text with whitespace runs collapsed to one space."""
        return re.sub(r"\s+", " ", self.text)

    @property
    def dense(self) -> str:
        """Reading-order text without any whitespace (for texts wrapped in table cells)."""
        return re.sub(r"\s+", "", self.raw)


def pdftotext(pdf: Path, *options: str) -> str:
    """The text of a PDF by poppler's pdftotext."""
    return subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_pages(pdf: Path) -> list[str]:
    """The text of every page (pdftotext -layout, pages split at form feeds)."""
    pages = pdftotext(pdf, "-layout").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
