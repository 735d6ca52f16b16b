"""Moved to :mod:`tanzuji.metrology.measurement` (below ``calculation``); re-exported here for
existing imports."""

from tanzuji.metrology.measurement import *  # noqa: F403
from tanzuji.metrology.measurement import __all__ as __all__
