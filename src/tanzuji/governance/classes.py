"""Moved to :mod:`tanzuji.metrology.classes` (below ``calculation``); re-exported here for
existing imports."""

from tanzuji.metrology.classes import *  # noqa: F403
from tanzuji.metrology.classes import __all__ as __all__
