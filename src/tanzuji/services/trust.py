"""Verifying a report against the configured trust list (the CLI's ``verify`` default and
the platform's verify page).

The trust list (config key ``trust_list`` / ``TANZUJI_TRUST_LIST``; see
:mod:`tanzuji.report.trustlist`) names the CAs and institutes whose signatures verify as
trusted. It is read once per change of the file (path, size and modification time).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tanzuji.report.trustlist import TrustList
    from tanzuji.report.verify import SignatureCheck

__all__ = ["configured_trust_list", "verify_report"]


@lru_cache(maxsize=4)
def _load(path: str, _size: int, _mtime: float) -> TrustList:
    from tanzuji.report.trustlist import load_trust_list

    return load_trust_list(Path(path))


def configured_trust_list(path: Path | None = None) -> TrustList | None:
    """The trust list at ``path``, else the configured one, else ``None``."""
    if path is None:
        from tanzuji.config import load_config

        path = load_config().trust_list
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        from tanzuji.report.trustlist import load_trust_list

        return load_trust_list(path)  # raises the error naming the file
    return _load(str(path), st.st_size, st.st_mtime)


def verify_report(data: bytes, trust_list: Path | None = None) -> list[SignatureCheck]:
    """Verify every signature of a PDF; trusted means chaining to the (configured) trust
    list — without one, trust is not judged (``trusted`` is ``None``)."""
    from tanzuji.report.verify import verify_pdf

    return verify_pdf(data, trust_list=configured_trust_list(trust_list))
