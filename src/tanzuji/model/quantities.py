"""Named shared quantities: a measured value declared once and referenced by several activities.

A study's ``quantities:`` section declares a value with its unit, uncertainty, instrument
and data type; an activity uses it with ``{ref: <id>}`` wherever it would give a number:

- ``quantity: {ref: id}`` of a plain (flow) activity, a transport leg's ``energy`` item or
  a part of an electricity split (``grid``, ``green_trading``, ``onsite``);
- ``mass: {ref: id}``, ``distance: {ref: id}`` of a transport leg, ``power`` and
  ``duration`` of an operation, ``total`` of an electricity split (the measured-quantity
  positions; ``mass: {quantity: {ref: id}}`` works too).

Before validation every reference is filled in from the declaration (value converted to
the unit the site states, or the declared unit; uncertainty, instrument, data type and
source copied), and the site records ``ref: <id>``. So every check reads the value where
it is used, while the measurement model makes the quantity ONE input, ``Q:<id>``
(:mod:`tanzuji.calculation.compile`): the full GUM and Monte Carlo keep the correlation
between the activities that share it.

>>> data = {"quantities": [{"id": "m", "quantity": 120, "unit": "kg",
...                         "uncertainty": {"standard": 2}}],
...         "activities": [{"mass": {"ref": "m"}, "distance": {"quantity": 1, "unit": "km"}},
...                        {"mass": {"ref": "m", "unit": "t"}}]}
>>> out = resolve_references(data)
>>> out["activities"][0]["mass"]["quantity"], out["activities"][1]["mass"]["quantity"]
(120.0, 0.12)
>>> out["activities"][1]["mass"]["uncertainty"], out["activities"][1]["mass"]["ref"]
({'standard': 0.002}, 'm')
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field, ValidationError, model_validator

from tanzuji.errors import UnitError
from tanzuji.i18n import tr
from tanzuji.model.base import LocalizedText, Uncertainty, _Strict
from tanzuji.model.derived import Calculation, check_consistent, derive_fields
from tanzuji.model.enums import DataType
from tanzuji.units import to_unit

__all__ = [
    "MEASURED_SITES",
    "NUMBER_SITES",
    "UNRESOLVED",
    "Measured",
    "RefSite",
    "SharedQuantity",
    "resolve_references",
]


UNRESOLVED = "__unresolved_ref__"
"""Key under which the resolver leaves a reference problem for the site's validator."""


def _ref_schema(schema: dict[str, Any]) -> None:
    """JSON Schema of a site: ``quantity`` may be ``{ref: id}``, and with a ref the
    quantity and unit come from the declaration (so they are not required)."""
    props = schema.get("properties", {})
    if "quantity" in props:
        props["quantity"] = {
            "anyOf": [
                props["quantity"],
                {
                    "type": "object",
                    "properties": {"ref": {"type": "string"}},
                    "required": ["ref"],
                    "additionalProperties": False,
                },
            ],
            "title": props["quantity"].get("title", "Quantity"),
        }
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r not in ("quantity", "unit")]


class RefSite(_Strict):
    """A place that holds a number and may take it from a shared quantity (``ref``)."""

    model_config = ConfigDict(json_schema_extra=_ref_schema)

    ref: str | None = Field(
        default=None, description="id of the shared quantity (quantities:) this value comes from"
    )
    corrections: tuple[str, ...] = Field(
        default=(),
        description="ids of dimensionless shared quantities (estimate about 1) multiplying "
        "this value, e.g. one meter's systematic error shared by all its readings",
    )

    @model_validator(mode="before")
    @classmethod
    def _unresolved(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and UNRESOLVED in data:
            raise ValueError(str(data[UNRESOLVED]))
        return data


class Measured(RefSite):
    """A measured or estimated quantity with its unit, uncertainty and provenance."""

    quantity: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    uncertainty: Uncertainty | None = None
    data_type: DataType | None = None
    source: str | None = None
    instrument: str | None = Field(default=None, description="id in the instrument register")
    note: str | None = None
    calculated: Calculation | None = Field(
        default=None, description="on-site calculation giving the quantity (Table 2)"
    )

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        return derive_fields(data)

    @model_validator(mode="after")
    def _derived(self) -> Measured:
        check_consistent(self.quantity, self.unit, (), self.calculated, None, None)
        return self

    @property
    def u(self) -> float:
        """Standard uncertainty (0 when none is given)."""
        return self.uncertainty.standard_for(self.quantity) if self.uncertainty else 0.0


def _declaration_schema(schema: dict[str, Any]) -> None:
    """A declaration needs its value (``quantity`` or ``value``) and unit."""
    props = schema.get("properties", {})
    props.pop("ref", None)
    props.pop("corrections", None)
    schema["required"] = ["id", "unit"]


class SharedQuantity(Measured):
    """A measured value declared once (``quantities:``) and referenced by several activities.

    >>> q = SharedQuantity.model_validate({"id": "shipment_mass", "value": 120, "unit": "kg",
    ...     "uncertainty": {"relative": "1 %"}})
    >>> q.quantity, q.u
    (120.0, 1.2)
    """

    model_config = ConfigDict(json_schema_extra=_declaration_schema)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
    name: LocalizedText | None = None
    value: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="the value (alias of quantity)"
    )

    @model_validator(mode="before")
    @classmethod
    def _value_alias(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "value" in data:
            rest = {k: v for k, v in data.items() if k != "value"}
            if data["value"] is None:
                return rest
            if rest.get("quantity") is not None:
                raise ValueError(
                    tr(
                        "请给出 value 或 quantity，不要同时给出",
                        "give either value or quantity, not both",
                    )
                )
            return {**rest, "quantity": data["value"]}
        return data

    @model_validator(mode="after")
    def _no_ref(self) -> SharedQuantity:
        if self.ref is not None or self.corrections:
            raise ValueError(
                tr(
                    "共享量不能引用其他共享量",
                    "a shared quantity cannot refer to other shared quantities",
                )
            )
        return self

    def label(self, lang: str = "zh") -> str:
        """The name to show (the id when it has none)."""
        return self.name.pick(lang) if self.name is not None else self.id


#: Fields of an activity (or of its items) that hold a number and may be ``{ref: id}``.
NUMBER_SITES = ("quantity",)
#: Fields of an activity that hold a measured quantity and may be ``{ref: id}``.
MEASURED_SITES = ("mass", "distance", "power", "duration", "total")
_PARTS = ("grid", "green_trading", "onsite")
#: Fields a site must not state itself: the declaration owns them.
_OWNED = ("uncertainty", "instrument", "calculated", "candidates")
_BATCH = ("unit", "uncertainty", "instrument")


def _scaled_uncertainty(unc: Any, factor: float) -> Any:
    if not isinstance(unc, Mapping) or factor == 1.0:
        return unc
    out = dict(unc)
    for key in ("standard", "expanded", "min", "max"):
        if isinstance(out.get(key), int | float) and not isinstance(out.get(key), bool):
            out[key] = out[key] * factor
    return out


def _did_you_mean(ref: str, known: list[str]) -> str:
    close = difflib.get_close_matches(ref, known, n=1)
    if close:
        return tr(f"；是否为 {close[0]!r}？", f"; did you mean {close[0]!r}?")
    if known:
        return tr(f"；已声明：{'、'.join(known)}", f"; declared: {', '.join(known)}")
    return tr("；本研究未声明共享量", "; the study declares no quantities")


class _Resolver:
    def __init__(self, declared: Mapping[str, SharedQuantity], ids: list[str]) -> None:
        self.declared = declared
        self.ids = ids
        self.used: set[str] = set()

    def fill(self, site: dict[str, Any], ref: Any, path: str, unit_key: str | None) -> None:
        """Fill ``site`` (a mutable copy) from the declaration ``ref``; a problem is left
        in the site for its own validator to raise (so the error has the site's path)."""
        try:
            self._fill(site, ref, unit_key)
        except ValueError as exc:
            site[UNRESOLVED] = str(exc)
            site.setdefault("quantity", 0.0)

    def _fill(self, site: dict[str, Any], ref: Any, unit_key: str | None) -> None:
        if not isinstance(ref, str):
            raise ValueError(
                tr("ref：应为已声明的共享量 id", "ref: expected the id of a declared quantity")
            )
        if ref not in self.declared:
            if ref in self.ids:
                site["quantity"] = 0.0
                site["ref"] = ref
                return  # the declaration itself is invalid; its own error says why
            raise ValueError(
                tr(
                    f"ref：quantities 中没有 {ref!r}{_did_you_mean(ref, self.ids)}",
                    f"ref: no quantity {ref!r} in quantities{_did_you_mean(ref, self.ids)}",
                )
            )
        q = self.declared[ref]
        self.used.add(ref)
        clash = [k for k in _OWNED if site.get(k) is not None]
        if clash:
            raise ValueError(
                tr(
                    f"{'、'.join(clash)} 来自共享量 {ref!r}；请在那里给出，不要在此处给出",
                    f"{', '.join(clash)} comes from the shared quantity {ref!r}; "
                    "state it there, not here",
                )
            )
        unit = site.get(unit_key) if unit_key else None
        value, factor = q.quantity, 1.0
        if isinstance(unit, str) and unit != q.unit:
            try:
                factor = to_unit(1.0, q.unit, unit)
            except UnitError:
                raise ValueError(
                    tr(
                        f"单位 {unit!r} 与共享量 {ref!r} 的单位 {q.unit!r} 不一致",
                        f"unit {unit!r} does not match the unit {q.unit!r} of the shared "
                        f"quantity {ref!r}",
                    )
                ) from None
            value = q.quantity * factor
        site["quantity"] = value
        if unit_key and unit is None:
            site[unit_key] = q.unit
        if q.uncertainty is not None:
            site["uncertainty"] = _scaled_uncertainty(
                q.uncertainty.model_dump(mode="json", exclude_none=True), factor
            )
        if q.instrument is not None:
            site["instrument"] = q.instrument
        if q.data_type is not None and site.get("data_type") is None:
            site["data_type"] = q.data_type.value
        if q.source is not None and site.get("source") is None:
            site["source"] = q.source
        site["ref"] = ref

    def number_site(self, item: Any, path: str, unit_key: str | None) -> Any:
        """An item whose ``quantity`` may be ``{ref: id}`` (or which says ``ref: id``)."""
        if not isinstance(item, Mapping):
            return item
        qty = item.get("quantity")
        ref = None
        if isinstance(qty, Mapping) and set(qty) == {"ref"}:
            ref = qty["ref"]
        elif item.get("ref") is not None and qty is None:
            ref = item["ref"]
        elif item.get("ref") is not None:
            # written back after loading (model_dump): filled in before, fill in again
            # from the declaration, which stays the one source of the value
            again = {k: v for k, v in item.items() if k not in ("quantity", "ref", *_OWNED)}
            alloc = again.get("allocation")
            if isinstance(alloc, Mapping) and "batch_quantity" in alloc:
                # the shared quantity is the batch; it is filled in (and moved) again
                again["allocation"] = {
                    k: v for k, v in alloc.items() if k not in ("batch_quantity", *_BATCH)
                }
            self.fill(again, item["ref"], path, unit_key)
            return again
        if ref is None:
            return item
        out = dict(item)
        out.pop("quantity", None)
        out.pop("ref", None)
        self.fill(out, ref, path, unit_key)
        return out

    def activity(self, act: Any, path: str) -> Any:
        if not isinstance(act, Mapping):
            return act
        out = dict(act)
        # a flow activity: its own quantity and unit
        out = self.number_site(out, path, "unit")
        for name in MEASURED_SITES:
            if isinstance(out.get(name), Mapping):
                out[name] = self.number_site(out[name], f"{path}.{name}", "unit")
        energy = out.get("energy")
        if isinstance(energy, list | tuple):
            out["energy"] = [
                self.number_site(e, f"{path}.energy[{j}]", "unit") for j, e in enumerate(energy)
            ]
        for name in _PARTS:
            part = out.get(name)
            if isinstance(part, Mapping) and (
                isinstance(part.get("quantity"), Mapping) or "ref" in part
            ):
                # parts are in the split's unit (default kWh)
                site = dict(part)
                site["unit"] = out.get("unit", "kWh")
                site = self.number_site(site, f"{path}.{name}", "unit")
                site.pop("unit", None)
                out[name] = site
        return out


def resolve_references(data: Any) -> Any:
    """A study mapping with every ``{ref: id}`` filled in from its ``quantities`` section.

    Declarations that do not validate are skipped here (the field validation reports
    them); a reference to an unknown id raises ``ValueError`` with the field path and a
    did-you-mean.
    """
    if not isinstance(data, Mapping):
        return data
    raw = data.get("quantities") or ()
    declared: dict[str, SharedQuantity] = {}
    ids: list[str] = []
    if isinstance(raw, list | tuple):
        for item in raw:
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                ids.append(item["id"])
                try:
                    q = SharedQuantity.model_validate(item)
                except ValidationError:
                    continue
                declared.setdefault(q.id, q)
    acts = data.get("activities")
    if not isinstance(acts, list | tuple):
        return data
    resolver = _Resolver(declared, ids)
    out = dict(data)
    out["activities"] = [resolver.activity(a, f"activities[{i}]") for i, a in enumerate(acts)]
    return out
