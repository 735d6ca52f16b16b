"""The instrument certificate and component validators speak the user's language: a
Chinese session got their English sentences (found on 2026-12-02 with `tanzuji check`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from tanzuji.i18n import use_lang
from tanzuji.model.governance import Certificate, InstrumentComponent

CJK = re.compile(r"[\u4e00-\u9fff]")
CERT = {"number": "JD-1", "issuer": "示例院", "type": "verification"}
CASES: list[tuple[type[BaseModel], dict[str, Any], str, str]] = [
    (Certificate, {**CERT, "date": "2024-12-20", "valid_until": "2023-12-19"}, "早于", "before"),
    (Certificate, {**CERT, "expanded_uncertainty": 0.2}, "同时给出", "together with its k"),
    (InstrumentComponent, {"name": "CT", "mpe": "abc %"}, "百分数", "fraction"),
    (InstrumentComponent, {"name": "CT"}, "只给出其一", "exactly one"),
]


def _message(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    (err,) = info.value.errors()
    return str(err["msg"])


@pytest.mark.parametrize(("model", "data", "zh", "en"), CASES)
def test_validator_messages_follow_the_language(
    model: type[BaseModel], data: dict[str, Any], zh: str, en: str
) -> None:
    with use_lang("zh"):
        text = _message(model, data)
    assert zh in text and CJK.search(text), text
    with use_lang("en"):
        text = _message(model, data)
    assert en in text and not CJK.search(text), text


@pytest.mark.parametrize("cell", ["{a: [1, 2", "[1, 2]"])
def test_a_workbook_other_fields_cell_is_refused_in_the_users_language(cell: str) -> None:
    from tanzuji.errors import InputError
    from tanzuji.xlsx.cells import parse_extra

    for lang, ok in (("zh", True), ("en", False)):
        with use_lang(lang), pytest.raises(InputError) as info:
            parse_extra(cell)
        assert bool(CJK.search(info.value.message)) is ok, info.value.message
