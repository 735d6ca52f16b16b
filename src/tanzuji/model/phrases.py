"""Phrases built from the model for people to read, the same in every shell.

>>> functional_unit_phrase("1 台", "电饭煲", "en")
'1 unit of 电饭煲'
"""

from __future__ import annotations

import re

__all__ = ["functional_unit_phrase"]

_MEASURE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(台|个|只|件|套|块|盏|pcs?\b|units?\b)?\s*(.*?)\s*$")


def functional_unit_phrase(fu: str, name: str, lang: str) -> str:
    """The functional unit in words, built once: the product is named once.

    >>> functional_unit_phrase("1 台单相智能电能表", "单相智能电能表", "zh")
    '1 台单相智能电能表'
    >>> functional_unit_phrase("1 台", "电饭煲", "zh")
    '1 台电饭煲'
    >>> functional_unit_phrase("1 盏", "LED 台灯", "zh")
    '1 盏 LED 台灯'
    >>> functional_unit_phrase("1 台", "电饭煲", "en")
    '1 unit of 电饭煲'
    >>> functional_unit_phrase("1 台单相智能电能表", "单相智能电能表", "en")
    '1 unit of 单相智能电能表'
    >>> functional_unit_phrase("1 m² of floor covering", "地毯", "en")
    '1 m² of floor covering'
    """
    fu = " ".join(fu.split())
    m = _MEASURE.match(fu)
    if lang == "en" and m is not None and (m.group(2) or not m.group(3)):
        n, rest = m.group(1), m.group(3) or name
        word = "unit" if n in ("1", "1.0") else "units"
        return f"{n} {word} of {rest}"
    if name in fu or (m is not None and m.group(3)):
        return fu
    # a space between a Chinese measure word and a Latin or numeric name: 1 盏 LED 台灯
    glued = lang == "zh" and not (name[:1].isascii() and name[:1].isalnum())
    return f"{fu}{name}" if glued else f"{fu} {name}"
