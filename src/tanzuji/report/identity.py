"""The report's identity: its title, its unique number, the specification's name and code.

**Report number.** ``TZJ-<year>-<STUDY-ID>-<HASH>``:

* ``<year>`` — the first year of the evaluation period;
* ``<STUDY-ID>`` — the study id, upper case, every run of characters other than A–Z and 0–9
  replaced by ``-``, at most 24 characters (``S`` when nothing is left, e.g. a Chinese id);
* ``<HASH>`` — the first 8 hexadecimal digits (upper case) of the SHA-256 of the canonical
  JSON (sorted keys, no spaces, UTF-8) of the study, the evaluation result (the JSON result
  contract) and the evaluation date.

The same study, result and date always give the same number (the zh and en versions of a
report share it); any change of input data, result or date gives another one. Two different
studies collide only if their ids slug alike *and* 32 bits of SHA-256 agree (odds about
1 in 4·10⁹ per pair).

>>> report_title("单相智能电能表", None)
'电能表产品碳足迹计量评价报告'
>>> report_title("Heat pump", "appliance", "en")
'Product Carbon Footprint Metrological Evaluation Report'
>>> split_specification("JJF XXXX—XXXX 温室气体产品碳足迹量化计量评价技术规范 电能表（草案）")
('JJF XXXX—XXXX', '温室气体产品碳足迹量化计量评价技术规范 电能表（草案）')
>>> slug("demo/single phase 01")
'DEMO-SINGLE-PHASE-01'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from tanzuji.calculation import FootprintResult
from tanzuji.jsonio import result_to_dict
from tanzuji.model import Study
from tanzuji.report.text import TITLE_GENERIC, TITLE_METER

__all__ = [
    "is_meter",
    "report_number",
    "report_title",
    "slug",
    "split_cutoff_rule",
    "split_specification",
]

_METER = re.compile(r"电能表|电表|\bmeters?\b", re.IGNORECASE)
_SPEC = re.compile(r"^\s*([A-Z][A-Z/]*\s*[0-9X][0-9X.\-—–]*)\s+(\S.*)$")


def is_meter(name: str, category: str | None) -> bool:
    """Whether the product is an electricity meter (by its category or name).

    >>> is_meter("DTZY three-phase smart meter", None), is_meter("电饭煲", "家电")
    (True, False)
    """
    return any(_METER.search(text) for text in (category or "", name))


def report_title(name: str, category: str | None, lang: str = "zh") -> str:
    """电能表产品碳足迹计量评价报告 for meters, 产品碳足迹计量评价报告 otherwise."""
    return (TITLE_METER if is_meter(name, category) else TITLE_GENERIC)[lang]


def split_specification(text: str) -> tuple[str, str]:
    """(code, name) of a specification such as ``GB/T 24067—2024 温室气体 产品碳足迹``."""
    m = _SPEC.match(text)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return "", text.strip()


_CUTOFF_COLON = re.compile(r"：|:(?!\d)")  # not the colon of "ISO 14067:2018"
_SENTENCE_END = ("。", ".", "；", ";", "！", "!")


def split_cutoff_rule(text: str | None) -> tuple[str | None, str | None]:
    """(basis, rules) of a study's ``cutoff_rule``, for Appendix B's sentence "the cut-off
    rule follows ____; in detail: …". ``None`` where the study leaves it to the defaults.

    >>> split_cutoff_rule("GB/T 24067 及本规范 5.1：舍弃影响小于 1% 的环节。")
    ('GB/T 24067 及本规范 5.1', '舍弃影响小于 1% 的环节。')
    >>> split_cutoff_rule("ISO 14067:2018")  # a reference: the rules are the default ones
    ('ISO 14067:2018', None)
    >>> split_cutoff_rule("Omit processes below 1 %, at most 5 % in all.")  # the rules only
    (None, 'Omit processes below 1 %, at most 5 % in all.')
    >>> split_cutoff_rule(None)
    (None, None)
    """
    text = (text or "").strip()
    if not text:
        return None, None
    m = _CUTOFF_COLON.search(text)
    if m is not None and text[: m.start()].strip() and text[m.end() :].strip():
        return text[: m.start()].strip(), text[m.end() :].strip()
    if text.endswith(_SENTENCE_END):
        return None, text
    return text, None


def slug(text: str, limit: int = 24) -> str:
    """Upper-case ASCII letters and digits, other runs replaced by ``-``."""
    out = re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")
    return out[:limit].rstrip("-") or "S"


def report_number(study: Study, result: FootprintResult, date: dt.date) -> str:
    """The unique, reproducible report number (scheme in the module docstring)."""
    payload = {
        "study": study.model_dump(mode="json"),
        "result": result_to_dict(result, study),
        "date": date.isoformat(),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8].upper()
    return f"TZJ-{study.period.start.year}-{slug(study.id)}-{digest}"
