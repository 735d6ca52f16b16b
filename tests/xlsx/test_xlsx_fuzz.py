"""Fuzzing the workbook reader: whatever the bytes or cells, the only exception is a
TanzujiError (one clear line per problem in the CLI), never a traceback."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from xlsx_fixtures import rich_study, write_yaml

from tanzuji.errors import TanzujiError
from tanzuji.xlsx import convert_study, load_workbook_study

FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    d = tmp_path_factory.mktemp("fuzz")
    convert_study(write_yaml(d / "in.yaml", rich_study()), d / "good.xlsx")
    return (d / "good.xlsx").read_bytes()


def _read(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.xlsx"
        path.write_bytes(data)
        try:
            load_workbook_study(path)
        except TanzujiError as exc:
            assert str(exc)  # a message, whatever it says


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _read(data)


@FUZZ
@given(st.data())
def test_truncated_or_corrupted_zip(good_bytes: bytes, data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        _read(good_bytes[: data.draw(st.integers(0, len(good_bytes) - 1))])
        return
    src = zipfile.ZipFile(io.BytesIO(good_bytes))
    names = src.namelist()
    victim = data.draw(st.sampled_from(names))
    junk = data.draw(st.binary(max_size=300))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in names:
            zf.writestr(name, junk if name == victim else src.read(name))
    _read(out.getvalue())


_VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "=1+1",
            "#N/A",
            "0.5%",
            "Y",
            "相对",
            "运输 / Transport leg",
            "kg",
            "功率 / Power",
            "{calculated: 1}",
            "{a: [",
            "1e999",
            "nan",
            "-0",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
)


@FUZZ
@given(st.data())
def test_random_cells(good_bytes: bytes, data: st.DataObject) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(good_bytes))
    names = [
        n
        for n in wb.sheetnames
        if n.startswith(("A.1", "A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "因子", "取舍"))
    ]
    for _ in range(data.draw(st.integers(1, 6))):
        ws = wb[data.draw(st.sampled_from(names))]
        row, col = data.draw(st.integers(1, 25)), data.draw(st.integers(1, 40))
        value = data.draw(_VALUES)
        try:
            ws.cell(row=row, column=col).value = value
        except (ValueError, TypeError, AttributeError, IllegalCharacterError):
            continue  # openpyxl refuses this (control characters, a merged cell, …)
    out = io.BytesIO()
    wb.save(out)
    _read(out.getvalue())
