"""Fixtures of the PACT tests."""

from __future__ import annotations

from typing import Any

import pytest
from pacthelpers import footprint


@pytest.fixture
def pf() -> dict[str, Any]:
    return footprint()
