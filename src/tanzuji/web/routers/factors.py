"""Browse and search the emission-factor libraries."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from tanzuji.errors import TanzujiError
from tanzuji.i18n import tr
from tanzuji.web.deps import CurrentUser

router = APIRouter(prefix="/api/factors", tags=["factors"])


@lru_cache(maxsize=1)
def all_factors() -> Any:
    """The builtin libraries, layered (loaded once per process)."""
    from tanzuji.factors import FactorLibrary
    from tanzuji.jsonio import builtin_libraries, load_factor_library

    return FactorLibrary.layered(load_factor_library(p) for p in builtin_libraries().values())


def factor_dict(ef: Any) -> dict[str, Any]:
    data: dict[str, Any] = ef.model_dump(mode="json", exclude_none=True)
    data["grade"] = ef.grade.value
    data["u"] = ef.u
    return data


def search_factors(q: str | None, limit: int) -> list[Any]:
    lib = all_factors()
    found = lib.search(q) if q else sorted(lib, key=lambda f: f.id)
    return list(found)[:limit]


@router.get("", summary="List or search factors")
def list_factors(
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    return [factor_dict(ef) for ef in search_factors(q, limit)]


@router.get("/{factor_id}", summary="One factor in full")
def get_factor(user: CurrentUser, factor_id: str) -> dict[str, Any]:
    try:
        ef = all_factors().get(factor_id, path="factor_id")
    except TanzujiError:
        raise HTTPException(404, detail=tr("没有这个排放因子", "no such emission factor")) from None
    return factor_dict(ef)
