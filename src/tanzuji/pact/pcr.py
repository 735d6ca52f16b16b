"""Product rules (PCR) a study can declare it follows (``product.pcr``), checked by ``check``.

A rule fixes what makes footprints of one product type comparable: boundary, service life and
operating hours of the use stage, the kind of use-stage power data and the grid factor.

>>> rule = load_rule("smart-meter")
>>> rule.service_life_years * rule.operating_hours_per_year
70080
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.model import LocalizedText, Operation, Stage, Study
from tanzuji.units import parse_unit

__all__ = ["PcrFinding", "ProductRule", "builtin_rules", "check_pcr", "load_rule"]


class ProductRule(BaseModel):
    """A product category rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    version: str
    name: LocalizedText
    functional_unit: str
    boundary: tuple[Stage, ...]
    service_life_years: int = Field(gt=0)
    operating_hours_per_year: int = Field(gt=0, le=8784)
    use_power_data: Literal["primary", "any"] = "primary"
    grid_factor: str

    @property
    def label(self) -> str:
        """``<name en> <version>`` for PACT's ruleNames."""
        return f"{self.name.pick('en')} {self.version}"


def builtin_rules() -> dict[str, ProductRule]:
    """The rules shipped with tanzuji, by id."""
    base = resources.files("tanzuji") / "data" / "pcr"
    rules = {}
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            rule = ProductRule.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
            rules[rule.id] = rule
    return rules


def load_rule(rule_id: str) -> ProductRule:
    """A builtin rule by id, or an error listing the known ones."""
    rules = builtin_rules()
    if rule_id not in rules:
        raise InputError(
            tr(
                f"未知的产品种类规则；应为以下之一：{'、'.join(rules)}",
                f"unknown product rule; expected one of {', '.join(rules)}",
            ),
            path="product.pcr",
            got=rule_id,
        )
    return rules[rule_id]


@dataclass(frozen=True)
class PcrFinding:
    """A way the study departs from its declared rule."""

    path: str
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        """The text in ``lang``."""
        return self.zh if lang == "zh" else self.en


def check_pcr(study: Study, rule: ProductRule) -> list[PcrFinding]:
    """Every departure of ``study`` from ``rule`` (empty when it follows the rule)."""
    found: list[PcrFinding] = []
    if tuple(study.boundary) != tuple(rule.boundary):
        want_zh = "、".join(s.zh for s in rule.boundary)
        want_en = ", ".join(s.en for s in rule.boundary)
        found.append(
            PcrFinding(
                "boundary",
                f"规则 {rule.id} 要求系统边界为 {want_zh}",
                f"rule {rule.id} requires the boundary {want_en}",
            )
        )
    hours = rule.service_life_years * rule.operating_hours_per_year
    uses = [
        (i, a)
        for i, a in enumerate(study.activities)
        if isinstance(a, Operation) and a.stage is Stage.USE
    ]
    if Stage.USE in rule.boundary and not uses:
        found.append(
            PcrFinding(
                "activities",
                "规则要求使用阶段按功率 × 运行时间计算（operation 活动）",
                "the rule requires the use stage as power × operating time (an operation)",
            )
        )
    for i, act in uses:
        got = (parse_unit(act.duration.unit) * act.duration.quantity).to("hour").magnitude
        if abs(got - hours) > 1e-6 * hours:
            found.append(
                PcrFinding(
                    f"activities[{i}].duration",
                    f"运行时间应为 {rule.service_life_years} 年 × {rule.operating_hours_per_year} h"
                    f" = {hours} h（实际 {got:g} h）",
                    f"operating time must be {rule.service_life_years} years × "
                    f"{rule.operating_hours_per_year} h = {hours} h (got {got:g} h)",
                )
            )
        if act.factor != rule.grid_factor:
            found.append(
                PcrFinding(
                    f"activities[{i}].factor",
                    f"使用阶段电力因子应为 {rule.grid_factor}",
                    f"the use-stage grid factor must be {rule.grid_factor}",
                )
            )
        kind = act.power.data_type or act.data_type
        if rule.use_power_data == "primary" and not kind.primary:
            found.append(
                PcrFinding(
                    f"activities[{i}].power",
                    "功耗应为初级数据（型式试验或实测）",
                    "the power must be primary data (type test or measurement)",
                )
            )
    return found
