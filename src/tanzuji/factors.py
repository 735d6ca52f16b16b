"""Emission-factor libraries: lookup by id, override order, search. Pure (no I/O).

Libraries are layered: a later layer overrides an earlier one by id, and a study's own
factors override every library.

>>> from tanzuji.model import EmissionFactor
>>> base = FactorLibrary.from_factors([EmissionFactor(id="e", name="电力", value=0.6,
...     unit="kgCO2e/kWh", factor_type="national_database", source="A")], id="base")
>>> mine = FactorLibrary.from_factors([EmissionFactor(id="e", name="电力", value=0.5,
...     unit="kgCO2e/kWh", factor_type="measured", source="B")], id="mine")
>>> base.overridden_by(mine).get("e").value
0.5
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import Field

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.model import EmissionFactor, LocalizedText
from tanzuji.model.base import _Strict

__all__ = ["FactorLibrary", "LibraryFile", "LibraryHeader", "UnknownFactorError"]


class UnknownFactorError(InputError):
    """A factor id that no loaded library defines."""


class LibraryHeader(_Strict):
    """The ``library:`` block of a factor-library file."""

    id: str = Field(min_length=1)
    name: LocalizedText
    version: str | None = None
    description: LocalizedText | None = None


class LibraryFile(_Strict):
    """A whole factor-library file: a header and its factors."""

    library: LibraryHeader
    factors: tuple[EmissionFactor, ...] = ()


@dataclass(frozen=True)
class FactorLibrary:
    """An immutable mapping of factor id → factor, remembering which library each came from."""

    id: str = "empty"
    _factors: Mapping[str, EmissionFactor] = field(default_factory=dict)
    overridden: tuple[tuple[str, str, str], ...] = ()
    """(factor id, library overridden, library overriding) for every override applied."""

    @classmethod
    def from_factors(cls, factors: Iterable[EmissionFactor], *, id: str) -> FactorLibrary:
        """A library from factors (ids must be unique)."""
        table: dict[str, EmissionFactor] = {}
        for ef in factors:
            if ef.id in table:
                raise InputError(
                    tr(
                        f"因子 id {ef.id!r} 在因子库 {id!r} 中定义了两次",
                        f"factor id {ef.id!r} is defined twice in library {id!r}",
                    )
                )
            table[ef.id] = ef if ef.library else ef.model_copy(update={"library": id})
        return cls(id=id, _factors=table)

    @classmethod
    def from_file(cls, data: LibraryFile) -> FactorLibrary:
        """A library from a validated library file."""
        return cls.from_factors(data.factors, id=data.library.id)

    def overridden_by(self, other: FactorLibrary) -> FactorLibrary:
        """A new library in which ``other``'s factors replace ours with the same id."""
        merged = dict(self._factors)
        overrides = list(self.overridden) + list(other.overridden)
        for key, ef in other._factors.items():
            if key in merged:
                overrides.append((key, merged[key].library or self.id, ef.library or other.id))
            merged[key] = ef
        return FactorLibrary(
            id=f"{self.id}+{other.id}", _factors=merged, overridden=tuple(overrides)
        )

    @classmethod
    def layered(cls, layers: Iterable[FactorLibrary]) -> FactorLibrary:
        """Stack libraries; later ones win."""
        out = cls()
        for layer in layers:
            out = layer if out.id == "empty" and not out._factors else out.overridden_by(layer)
        return out

    def __contains__(self, key: object) -> bool:
        return key in self._factors

    def __iter__(self) -> Iterator[EmissionFactor]:
        return iter(self._factors.values())

    def __len__(self) -> int:
        return len(self._factors)

    def get(self, key: str, *, path: str | None = None) -> EmissionFactor:
        """The factor with this id, or an error suggesting close ids.

        >>> FactorLibrary().get("cn.elec", path="activities[0].factor")
        Traceback (most recent call last):
        ...
        tanzuji.factors.UnknownFactorError: activities[0].factor: 未知因子 id；...
        """
        try:
            return self._factors[key]
        except KeyError:
            close = self.suggest(key)
            raise UnknownFactorError(
                tr(
                    "未知因子 id；应为研究的 factors 或其因子库中定义的 id"
                    "（可用 `tanzuji factors search` 查找）"
                    + (f"；是否为 {'、'.join(close)}？" if close else ""),
                    "unknown factor id; expected an id defined in the study's factors or its "
                    "factor libraries (tanzuji factors search finds ids)"
                    + (f"; did you mean {', '.join(close)}?" if close else ""),
                ),
                path=path,
                got=key,
            ) from None

    def suggest(self, key: str, n: int = 3) -> list[str]:
        """Ids close to ``key``: those whose dot-separated parts start with its parts (in
        order), else the closest spellings.

        >>> lib = FactorLibrary.from_factors([EmissionFactor(id=i, name="x", value=1,
        ...     unit="kgCO2e/kg", factor_type="literature", source="s") for i in
        ...     ("material.aluminium.primary.iai2022", "material.abs.ice2")], id="m")
        >>> lib.suggest("material.alu"), lib.suggest("material.abs.ice")
        (['material.aluminium.primary.iai2022'], ['material.abs.ice2'])
        """
        want = [w for w in key.casefold().split(".") if w]
        by_prefix = []
        for fid in self._factors:
            parts = fid.casefold().split(".")
            i = 0
            for part in parts:
                if i < len(want) and part.startswith(want[i]):
                    i += 1
            if want and i == len(want):
                by_prefix.append(fid)
        if by_prefix:
            return sorted(by_prefix)[:n]
        return difflib.get_close_matches(key, list(self._factors), n=n, cutoff=0.6)

    def search(self, text: str) -> list[EmissionFactor]:
        """Factors in which every word of ``text`` appears as a whole word.

        Latin words and numbers match whole words of the id, names, tags, region, year,
        unit or source (case-insensitive: ``LED`` does not match "recycled"); a word with
        Chinese characters matches where it appears in the Chinese texts (Chinese has no
        spaces between words).

        >>> lib = FactorLibrary.from_factors([EmissionFactor(id="x.copper", name={"zh": "铜",
        ...     "en": "Copper"}, value=4, unit="kgCO2e/kg", factor_type="literature",
        ...     source="ICA")], id="m")
        >>> [f.id for f in lib.search("copper")], [f.id for f in lib.search("铜")]
        (['x.copper'], ['x.copper'])
        >>> lib.search("cop")
        []
        """
        words = [w.casefold() for w in text.split() if w]
        found = []
        for ef in self._factors.values():
            hay = " ".join(
                str(x)
                for x in (
                    ef.id,
                    ef.name.zh,
                    ef.name.en,
                    ef.region,
                    ef.year,
                    ef.source.citation,
                    ef.source.publisher,
                    ef.unit,
                    " ".join(ef.tags),
                )
                if x is not None
            ).casefold()
            tokens = set(_WORD.findall(hay))
            if words and all(_matches(w, hay, tokens) for w in words):
                found.append(ef)
        return found


_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _matches(word: str, hay: str, tokens: set[str]) -> bool:
    """A query word in a text: Chinese as a substring, others as whole words."""
    if _CJK.search(word):
        return word in hay
    parts = [t for t in _WORD.findall(word) if t]
    return bool(parts) and all(p in tokens for p in parts)
