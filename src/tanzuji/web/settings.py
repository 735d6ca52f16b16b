"""Settings of the web platform; unsafe values are refused, never defaulted.

There is no default password or secret anywhere. The session/JWT signing secret comes
from ``TANZUJI_SECRET_KEY`` or is generated once and kept in ``secret.key`` (mode 0600)
in the user's data directory.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> s = load_secret(env={}, directory=d)
>>> len(s) >= 32, oct((d / "secret.key").stat().st_mode & 0o777)
(True, '0o600')
>>> load_secret(env={}, directory=d) == s
True
>>> load_secret(env={"TANZUJI_SECRET_KEY": "short"}, directory=d)
Traceback (most recent call last):
...
tanzuji.errors.InputError: TANZUJI_SECRET_KEY: 密钥至少应有 32 个字符
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = ["MIN_SECRET", "WebSettings", "load_secret"]

MIN_SECRET = 32
_SECRET_FILE = "secret.key"


def _too_short() -> str:
    n = MIN_SECRET
    return tr(f"密钥至少应有 {n} 个字符", f"the secret must be at least {n} characters long")


def load_secret(env: Mapping[str, str] | None = None, directory: Path | None = None) -> str:
    """The signing secret: ``TANZUJI_SECRET_KEY``, else the stored one, else a new one."""
    env = os.environ if env is None else env
    given = env.get("TANZUJI_SECRET_KEY")
    if given is not None:
        if len(given.strip()) < MIN_SECRET:
            raise InputError(_too_short(), path="TANZUJI_SECRET_KEY")
        return given.strip()
    if directory is None:
        from tanzuji.config import data_dir

        directory = data_dir()
    path = directory / _SECRET_FILE
    if path.exists():
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            text = tr(
                "其他用户可以读取密钥文件；请对它执行 chmod 600",
                "the secret file is readable by others; run chmod 600 on it",
            )
            raise InputError(text, file=str(path))
        value = path.read_text(encoding="ascii").strip()
        if len(value) < MIN_SECRET:
            text = tr(
                "密钥文件过短；删除它即可生成新的密钥",
                "the secret file is too short; delete it to make a new one",
            )
            raise InputError(text, file=str(path))
        return value
    directory.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value


@dataclass(frozen=True)
class WebSettings:
    """What the web application needs to run (built by ``tanzuji serve`` or a test)."""

    secret_key: str
    database_url: str | None = None
    secure_cookies: bool = False
    require_https: bool = False
    max_upload_bytes: int = 10 * 1024 * 1024
    session_minutes: int = 8 * 60
    token_minutes: int = 60
    login_attempts: int = 5
    login_window_seconds: int = 300
    public_base_url: str | None = None
    jobs_per_org: int = 2  # unfinished background jobs an organisation may have at once
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.secret_key) < MIN_SECRET:
            raise InputError(_too_short(), path="secret_key")
        if self.max_upload_bytes <= 0:
            raise InputError(tr("应为正数", "must be positive"), path="max_upload_bytes")
