"""What the public carbon-label page shows, and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tanzuji.web.label import LabelData

__all__ = ["PublicFootprint", "Publications"]


@dataclass(frozen=True)
class PublicFootprint:
    """A published footprint as anyone may see it (no sign-in)."""

    id: str
    product: str
    manufacturer: str
    value: str
    U: str
    u: str
    k: str
    unit: str
    functional_unit: str
    boundary_zh: str
    boundary_en: str
    period: str
    evaluator: str
    report_number: str
    report_sha256: str
    issued_on: str
    valid_until: str
    status: str  # valid | expired | withdrawn | superseded
    signature_ok: bool | None
    status_reason: str | None = None
    status_changed_at: str | None = None
    superseded_by: str | None = None

    def label(self, url: str) -> LabelData:
        return LabelData(
            product=self.product,
            value=self.value,
            U=self.U,
            unit=self.unit,
            k=self.k,
            functional_unit=self.functional_unit,
            evaluator=self.evaluator,
            report_number=self.report_number,
            valid_until=self.valid_until,
            url=url,
        )


class Publications(Protocol):
    """Published footprints, read without sign-in."""

    def public(self, pub_id: str) -> PublicFootprint | None:
        """The footprint published everywhere under ``pub_id``, else ``None``."""

    def visible_to(self, pub_id: str, org_id: int | None) -> PublicFootprint | None:
        """Also a footprint shared privately with (or owned by) the organisation ``org_id``."""

    def for_report(self, sha256: str) -> str | None:
        """The id of the publication whose signed report has this SHA-256, if any."""
