"""User settings: the config file, environment variables and their precedence.

One TOML file (``config.toml`` in the platform's user config directory, or the file
named by ``TANZUJI_CONFIG``) holds the user's defaults; environment variables override
it, and command-line options override both. Keys:

=================  =========================  ==============================================
key                environment                meaning
=================  =========================  ==============================================
``lang``           ``TANZUJI_LANG``           ``zh`` (default) or ``en``
``database_url``   ``TANZUJI_DATABASE_URL``   SQLAlchemy URL, or a bare path = SQLite file
``org``            ``TANZUJI_ORG``            the organisation the CLI acts for
``user``           ``TANZUJI_USER``           the acting user (recorded in the audit trail)
``key``            ``TANZUJI_KEY``            default signing key (PEM or PKCS#12)
``cert``           ``TANZUJI_CERT``           default signing certificate
``timestamp_url``  ``TANZUJI_TIMESTAMP_URL``  RFC 3161 timestamp authority for signatures
``trust_list``     ``TANZUJI_TRUST_LIST``     trust list (TOML) of CAs and institutes for verify
``library_dirs``   —                          extra folders a study may take libraries from
=================  =========================  ==============================================

>>> cfg = load_config(env={}, path=None)
>>> str(cfg.lang), cfg.database_url is None
('zh', True)
>>> str(load_config(env={"TANZUJI_LANG": "en"}, path=None).lang)
'en'
>>> database_url("/tmp/x.db")
'sqlite:////tmp/x.db'
>>> database_url("postgresql+psycopg://postgres@127.0.0.1/tanzuji")
'postgresql+psycopg://postgres@127.0.0.1/tanzuji'
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tanzuji.errors import InputError
from tanzuji.i18n import Lang, os_reason, parse_lang, tr

__all__ = [
    "CONFIG_KEYS",
    "Config",
    "check_timezone",
    "config_path",
    "data_dir",
    "database_url",
    "default_database_url",
    "load_config",
]

CONFIG_KEYS = (
    "lang",
    "database_url",
    "org",
    "user",
    "key",
    "cert",
    "timestamp_url",
    "trust_list",
    "library_dirs",
)
_ENV = {
    "lang": "TANZUJI_LANG",
    "database_url": "TANZUJI_DATABASE_URL",
    "org": "TANZUJI_ORG",
    "user": "TANZUJI_USER",
    "key": "TANZUJI_KEY",
    "cert": "TANZUJI_CERT",
    "timestamp_url": "TANZUJI_TIMESTAMP_URL",
    "trust_list": "TANZUJI_TRUST_LIST",
}
_MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class Config:
    """The settings in force (file < environment < command line)."""

    lang: Lang = Lang.zh
    database_url: str | None = None
    org: str | None = None
    user: str | None = None
    key: Path | None = None
    cert: Path | None = None
    timestamp_url: str | None = None
    trust_list: Path | None = None
    library_dirs: tuple[Path, ...] = field(default_factory=tuple)
    source: Path | None = None

    def with_overrides(self, **values: Any) -> Config:
        """A copy with the command line's values (``None`` means "not given")."""
        given = {k: v for k, v in values.items() if v is not None}
        if "lang" in given:
            given["lang"] = parse_lang(str(given["lang"]))
        return replace(self, **given)

    @property
    def effective_database_url(self) -> str:
        """The database to use: the configured one, else the SQLite file in the data dir."""
        return database_url(self.database_url) if self.database_url else default_database_url()


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file is looked for (``TANZUJI_CONFIG`` overrides)."""
    env = os.environ if env is None else env
    if env.get("TANZUJI_CONFIG"):
        return Path(env["TANZUJI_CONFIG"]).expanduser()
    import platformdirs

    return platformdirs.user_config_path("tanzuji") / "config.toml"


def data_dir() -> Path:
    """The user's data directory for tanzuji (the default SQLite database lives here)."""
    import platformdirs

    return platformdirs.user_data_path("tanzuji")


def default_database_url() -> str:
    """``sqlite:///…/tanzuji.db`` in the user's data directory."""
    return "sqlite:///" + str(data_dir() / "tanzuji.db")


def database_url(value: str) -> str:
    """A SQLAlchemy URL from what a user writes: a URL as is, a bare path as an SQLite file."""
    v = value.strip()
    if "://" in v:
        return v
    return "sqlite:///" + str(Path(v).expanduser().resolve())


def _read_file(path: Path) -> dict[str, Any]:
    name = str(path)
    try:
        if not path.is_file():
            raise InputError(
                tr("配置文件不是普通文件", "the config file is not a regular file"), file=name
            )
        with path.open("rb") as fh:
            raw = fh.read(_MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise InputError(
            tr(
                f"无法读取配置文件（{os_reason(exc)}）",
                f"cannot read the config file ({os_reason(exc)})",
            ),
            file=name,
        ) from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise InputError(
            tr(
                f"配置文件超过 {_MAX_CONFIG_BYTES} 字节",
                f"the config file is larger than {_MAX_CONFIG_BYTES} bytes",
            ),
            file=name,
        )
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        if m:
            at = f"（第 {m.group(1)} 行第 {m.group(2)} 列）"
        elif "end of document" in str(exc):
            at = "（在文件末尾）"
        else:
            at = "（不是 UTF-8 文本）" if isinstance(exc, UnicodeDecodeError) else ""
        raise InputError(tr(f"不是有效的 TOML{at}", f"not valid TOML ({exc})"), file=name) from None


def _from_mapping(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(str(key), CONFIG_KEYS, n=1)
            hint = tr(f"；是否为 {close[0]!r}？", f"; did you mean {close[0]!r}?") if close else ""
            raise InputError(
                tr(
                    f"未知的设置项（应为以下之一：{'、'.join(CONFIG_KEYS)}）{hint}",
                    f"unknown setting (expected one of {', '.join(CONFIG_KEYS)}){hint}",
                ),
                file=where,
                path=str(key),
            )
        if key == "library_dirs":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(
                    tr("应为文件夹路径的列表", "expected a list of folder paths"),
                    file=where,
                    path=key,
                )
            out[key] = tuple(Path(v).expanduser() for v in value)
            continue
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                tr("应为非空字符串", "expected a non-empty string"), file=where, path=str(key)
            )
        if key == "lang":
            try:
                out[key] = parse_lang(value)
            except ValueError as exc:
                raise InputError(
                    tr(f"未知的语言 {value!r}：应为 zh 或 en", str(exc)), file=where, path=key
                ) from None
        elif key in {"key", "cert", "trust_list"}:
            out[key] = Path(value).expanduser()
        else:
            out[key] = value.strip()
    return out


def load_config(env: Mapping[str, str] | None = None, path: Path | bool | None = True) -> Config:
    """Settings from the config file (``path=True``: the default place) and environment."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    source: Path | None = None
    file = config_path(env) if path is True else (path or None)
    if isinstance(file, Path) and (file.exists() or "TANZUJI_CONFIG" in env):
        values.update(_from_mapping(_read_file(file), str(file)))
        source = file
    env_values = {k: env[v] for k, v in _ENV.items() if env.get(v)}
    values.update(_from_mapping(env_values, "environment"))
    return Config(**values, source=source)


def check_timezone(env: dict[str, str] | None = None) -> str | None:
    """Replace a ``TZ`` environment variable that names no time zone by ``UTC``.

    Returns a warning to show (``None`` when ``TZ`` is unset or valid). Libraries that read
    the local zone (pyHanko's PDF dates via tzlocal) would otherwise end in a traceback.

    >>> env = {"TZ": "Not/AZone"}
    >>> check_timezone(env) is not None, env["TZ"]
    (True, 'UTC')
    >>> check_timezone({"TZ": "Asia/Shanghai"}) is None
    True
    """
    import zoneinfo

    target: Any = os.environ if env is None else env
    value = target.get("TZ")
    if not value:
        return None
    name = value.removeprefix(":")
    try:
        if name.startswith("/") or ".." in name:
            raise ValueError(name)
        zoneinfo.ZoneInfo(name)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        target["TZ"] = "UTC"
        if env is None:
            import time

            time.tzset()
        shown = value[:40]
        return tr(
            f"环境变量 TZ={shown!r} 不是有效的时区（应为如 Asia/Shanghai 的时区名）；按 UTC 处理",
            f"TZ={shown!r} is not a time zone (expected a name such as Asia/Shanghai); using UTC",
        )
    return None
