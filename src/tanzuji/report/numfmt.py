"""Numbers and units as people write them in a report.

* :func:`plain` — significant digits without scientific notation (``7.008e+04`` →
  ``70 080``), digit groups of large numbers separated by a thin space;
* :func:`group` — thin-space groups for a number already rounded as a string;
* :func:`pretty_unit` — ``m**2`` → ``m²``, ``t*km`` → ``t·km``, ``CO2e`` → ``CO₂e``;
* :func:`chemistry` — ``CO2e`` → ``CO₂e`` in running text.

>>> [s.replace(THIN, "_") for s in (plain(70080.0), plain(-1234567.0, 7), group("1234570"))]
['70_080', '−1_234_567', '1_234_570']
>>> plain(1.23e-05), plain(0.5), group("12.5"), group("0.000010")
('0.00001230', '0.5', '12.5', '0.000010')
>>> pretty_unit("kgCO2e/(t*km)"), pretty_unit("cm**2"), pretty_unit("kg CO2e/m^2")
('kgCO₂e/(t·km)', 'cm²', 'kg CO₂e/m²')
>>> chemistry("E = 59.7 kgCO2e; CO2 and CO2eq; CO20")
'E = 59.7 kgCO₂e; CO₂ and CO₂eq; CO20'

"""

from __future__ import annotations

import re
from decimal import Decimal

from tanzuji.uncertainty import round_result

__all__ = [
    "THIN",
    "chemistry",
    "fmt_pair",
    "group",
    "keep_together",
    "plain",
    "pretty_unit",
]

THIN = "\u2009"
"""Thin space: separates digit groups (ISO 80000-1, GB 3101)."""

_NUMBER = re.compile(r"^([+\-−]?)(\d+)(\.\d+)?$")


def group(text: str) -> str:
    """Thin-space groups of three in the integer part of a number with five digits or more."""
    m = _NUMBER.match(text)
    if m is None:
        return text
    sign, whole, frac = m.group(1), m.group(2), m.group(3) or ""
    if len(whole) >= 5:
        parts = []
        while whole:
            parts.append(whole[-3:])
            whole = whole[:-3]
        whole = THIN.join(reversed(parts))
    return sign.replace("-", "−") + whole + frac


def plain(x: float, sig: int = 4) -> str:
    """``x`` with ``sig`` significant digits, never in scientific notation.

    Trailing zeros of a rounded value are kept in the fractional part (``0.00001230``),
    as in the JJF 1059.1 rounding of the tables.
    """
    if x == 0:
        return "0"
    text = f"{x:.{sig}g}"
    if "e" in text or "E" in text:
        d = Decimal(text)
        text = format(d, "f")
        # keep sig significant digits in small numbers (e.g. 1.230e-05 → 0.00001230)
        digits = len(text.lstrip("-0.").replace(".", ""))
        if "." in text and digits < sig:
            text += "0" * (sig - digits)
    return group(text)


def fmt_pair(value: float, u: float) -> tuple[str, str]:
    """Value and uncertainty rounded per JJF 1059.1 (4 significant digits when u = 0).

    The one rounding of the report: tables, texts and chart labels all use it.

    >>> fmt_pair(61.23, 17.6), fmt_pair(0.5, 0.0), fmt_pair(70080.0, 0.0)[0].replace(THIN, " ")
    (('61', '18'), ('0.5', '0'), '70 080')
    """
    if u > 0:
        r = round_result(value, u)
        return group(r.value), group(r.U)
    return plain(value, 4), "0"


_SUP = (("**-1", "⁻¹"), ("**2", "²"), ("**3", "³"), ("^-1", "⁻¹"), ("^2", "²"), ("^3", "³"))


def chemistry(text: str) -> str:
    """``CO2e``/``CO2`` → ``CO₂e``/``CO₂`` (not inside longer words or numbers)."""
    return re.sub(r"(?<![A-Z0-9])CO2(?![0-9])", "CO₂", text)


def pretty_unit(unit: str) -> str:
    """A unit for reading: exponents as superscripts, products with ``·``, CO₂e."""
    text = unit
    for raw, sup in _SUP:
        text = text.replace(raw, sup)
    text = text.replace(" * ", "·").replace("*", "·")
    return chemistry(text)


_NUM = r"[−\-+]?\d+(?:[\u2009,]\d{3})*(?:\.\d+)*"
_UNIT = (
    r"(?:\u00a0|\s)?(?:%|‰|(?:[kMGTmµnpc]?(?:g|t|Wh|W|VA|V|A|m|L|l|h|s|J|Pa|km|kWh|MWh|MJ"
    r"|GJ|Nm³)|kgCO₂e|tCO₂e|gCO₂e|CO₂e)(?:[²³⁻¹]|·[A-Za-z]+|/[A-Za-z()·²³]+)*)(?![A-Za-z])"
)
_TOKEN = re.compile(
    # ( value ± U ) unit, value unit, identifiers such as JD-EM-2025-0107 or 2025-01-01
    rf"\(?{_NUM}\s?±\s?{_NUM}\)?(?:{_UNIT})?"
    rf"|[A-Za-z0-9]+(?:[-_/.:#][A-Za-z0-9]+)*-[A-Za-z0-9]+(?:[-_/.:#][A-Za-z0-9]+)*"
    rf"|(?<![A-Za-z0-9_]){_NUM}(?:{_UNIT})?"  # not the digits ending a name (jema2015)
    # a unit on its own: kgCO₂e/(t·km), kgCO₂e/kWh
    r"|(?<![A-Za-z])[kMGmµ]?[gt]?CO₂e?(?:/\(?[A-Za-z][A-Za-z0-9·²³⁻¹]*(?:/[A-Za-z0-9·²³⁻¹]+)*\)?)+"
)
_TAG = re.compile(r"(<[^>]*>|&[#A-Za-z0-9]+;)")
#: Longest token kept on one line: certificate numbers (JD-EM-2025-0107), dates, values with
#: their unit; a longer one (material.steel.galvanised-sheet.world-avg.ice2) overflowed its
#: table cell when it could not break.
_LONGEST = 20


def _wrap(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        token = m.group(0)
        if len(token) < 3 and not any(c in token for c in " ±"):
            return token
        if len(token) > _LONGEST and "±" not in token:
            return token  # a long id (a factor's) must break to fit its column
        return f'<span class="nw">{token}</span>'

    # the CJK face maps U+00B7 to a glyph that text extraction reads as a bullet: draw the
    # middle dot (t·km, 初级·实测) with a Latin face
    return _TOKEN.sub(repl, text).replace("·", '<span class="md">·</span>')


def keep_together(html: str) -> str:
    """Wrap numbers with their units and identifiers in the ``<body>`` of ``html`` in
    ``<span class="nw">`` (``white-space: nowrap``) so that no line break splits them, and
    every middle dot in ``<span class="md">`` (drawn with a Latin face).

    >>> keep_together("<body><td>0.002100 kWh</td><td>JD-EM-2025-0107</td></body>")[6:]
    '<td><span class="nw">0.002100 kWh</span></td><td><span class="nw">JD-EM-2025-0107</span>...'
    >>> keep_together("<body><td>kgCO₂e/(t·km)</td>")[6:]
    '<td><span class="nw">kgCO₂e/(t<span class="md">·</span>km)</span></td>'
    >>> keep_together("<body><td>material.steel.galvanised-sheet.world-avg.ice2</td>")[6:]
    '<td>material.steel.galvanised-sheet.world-avg.ice2</td>'
    >>> keep_together('<body><img alt="2025-01-01"><p>E = (59.7 ± 5.2) kgCO₂e &#34;</p>')[6:]
    '<img alt="2025-01-01"><p>E = <span class="nw">(59.7 ± 5.2) kgCO₂e</span> &#34;</p>'
    """
    start = html.find("<body")
    if start < 0:
        return html
    head, body = html[:start], html[start:]
    parts = _TAG.split(body)
    skip = 0
    for i, part in enumerate(parts):
        if i % 2 == 1:  # a tag or an entity
            low = part[:8].lower()
            if low.startswith(("<style", "<script")):
                skip += 1
            elif low.startswith(("</style", "</scrip")):
                skip = max(0, skip - 1)
            continue
        if part and not skip:
            parts[i] = _wrap(part)
    return head + "".join(parts)
