"""Moved to :mod:`tanzuji.metrology.instrument_u` (below ``calculation``); re-exported here for
existing imports."""

from tanzuji.metrology.instrument_u import *  # noqa: F403
from tanzuji.metrology.instrument_u import __all__ as __all__
