"""Published footprints read from the store, formatted for the public page and label."""

from __future__ import annotations

import functools
from typing import Any

from tanzuji.web.public import PublicFootprint

__all__ = ["StorePublications", "boundary", "signature_ok"]

_ALL_STAGES = {"raw_materials", "manufacturing", "distribution", "use", "end_of_life"}


def boundary(stages: list[str]) -> tuple[str, str]:
    """The system boundary in words (zh, en) from the stages evaluated.

    >>> boundary(["raw_materials", "manufacturing", "distribution", "use", "end_of_life"])
    ('从摇篮到坟墓（全生命周期）', 'cradle to grave (whole life cycle)')
    >>> boundary(["raw_materials", "manufacturing"])
    ('原材料获取阶段、生产制造阶段', 'raw material acquisition, manufacturing')
    """
    from tanzuji.model import Stage

    if set(stages) >= _ALL_STAGES:
        return "从摇篮到坟墓（全生命周期）", "cradle to grave (whole life cycle)"
    chosen = [s for s in Stage if s.value in stages]
    return "、".join(s.zh for s in chosen), ", ".join(s.en.lower() for s in chosen)


@functools.lru_cache(maxsize=256)
def _verify_cached(sha256: str, pdf: bytes) -> bool:
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.sign import verify_pdf

    try:
        checks = verify_pdf(pdf)
    except SignatureError:
        return False
    return bool(checks) and all(c.intact and c.valid for c in checks)


def signature_ok(sha256: str, pdf: bytes) -> bool:
    """Whether every signature of the stored report is intact and valid (cached by hash)."""
    return _verify_cached(sha256, pdf)


class StorePublications:
    """The :class:`~tanzuji.web.public.Publications` of a store."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def public(self, pub_id: str) -> PublicFootprint | None:
        """A footprint published to everyone."""
        return self.visible_to(pub_id, None)

    def visible_to(self, pub_id: str, org_id: int | None) -> PublicFootprint | None:
        """A footprint published to everyone, or shared privately with / owned by ``org_id``."""
        from tanzuji.services.sharing import public_footprint
        from tanzuji.store import UnitOfWork

        view = public_footprint(UnitOfWork(self.store, write=False), pub_id)
        if view is None:
            return None
        if not view.public and (org_id is None or org_id not in {view.org_id, *view.recipients}):
            return None
        return _formatted(view)

    def for_report(self, sha256: str) -> str | None:
        from tanzuji.services.sharing import publication_for_report
        from tanzuji.store import UnitOfWork

        return publication_for_report(UnitOfWork(self.store, write=False), sha256)


def _formatted(view: Any) -> PublicFootprint:
    """The public view with its numbers rounded for display (JJF 1059.1)."""
    from tanzuji.report.context import fmt_pair

    value, U = fmt_pair(view.value, view.k * view.u)
    _, u = fmt_pair(view.value, view.u)
    zh, en = boundary(view.stages)
    return PublicFootprint(
        id=view.id,
        product=view.product,
        manufacturer=view.manufacturer,
        value=value,
        U=U,
        u=u,
        k=f"{view.k:g}",
        unit=view.unit,
        functional_unit=view.functional_unit,
        boundary_zh=zh,
        boundary_en=en,
        period=view.period,
        evaluator=view.evaluator,
        report_number=view.report_number,
        report_sha256=view.report_sha256,
        issued_on=view.issued_on,
        valid_until=view.valid_until,
        status=view.status,
        signature_ok=signature_ok(view.report_sha256, view.report_pdf),
        status_reason=view.status_reason,
        status_changed_at=view.status_changed_at,
        superseded_by=view.superseded_by,
    )
