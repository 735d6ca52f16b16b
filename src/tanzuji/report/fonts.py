"""Finding a CJK-capable font for the report, the charts and the signature stamp.

WeasyPrint finds fonts through fontconfig by family name, so the report's CSS only needs the
family (:func:`cjk_family`). matplotlib and pyHanko need a file holding *one* OpenType face;
Debian's ``fonts-noto-cjk`` ships TrueType/OpenType *collections* (``.ttc``), so
:func:`cjk_font_file` extracts the Simplified-Chinese face once with fontTools into a cache
directory (``$XDG_CACHE_HOME/tanzuji/fonts``, else ``~/.cache/tanzuji/fonts``) and reuses it.

The search order: the ``TANZUJI_CJK_FONT`` environment variable (an .otf/.ttf, or
``file.ttc:index``), then fontconfig (``fc-list :lang=zh-cn``) preferring Noto Sans CJK SC,
Source Han Sans SC, Noto Sans SC, WenQuanYi Zen Hei and AR PL UMing, then a glob of the usual
font directories.

For the signature stamp, :func:`stamp_font_file` gives a HarfBuzz subset of that face with
ASCII and the GB 2312 repertoire (about 7 500 characters, 1.8 MB instead of 16 MB, built in
a fraction of a second and cached): pyHanko then reads it in 0.1 s instead of 0.7 s. A stamp
text with a character outside that repertoire (a rare name) uses the full face.

>>> FontFace(Path("/f/NotoSansCJK-Regular.ttc"), 2, "Noto Sans CJK SC").is_collection
True
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tanzuji.fileio import write_atomic
from tanzuji.report.errors import FontError

__all__ = [
    "FontFace",
    "cache_dir",
    "cjk_face",
    "cjk_family",
    "cjk_font_file",
    "css_font_list",
    "stamp_charset",
    "stamp_font_file",
]

PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
)
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
HINT = "install a CJK font (Debian: apt-get install fonts-noto-cjk, or `make system-deps`)"


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (``index`` counts faces inside a .ttc collection)."""

    path: Path
    index: int
    family: str

    @property
    def is_collection(self) -> bool:
        """Whether the file is a collection (.ttc/.otc) that must be split for pyHanko."""
        return self.path.suffix.lower() in (".ttc", ".otc")


def cache_dir() -> Path:
    """The per-user cache directory for extracted fonts (created on demand)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    path = Path(base) / "tanzuji" / "fonts"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    path = Path(tempfile.gettempdir()) / f"tanzuji-fonts-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _from_env() -> FontFace | None:
    value = os.environ.get("TANZUJI_CJK_FONT")
    if not value:
        return None
    text, _, idx = value.rpartition(":") if value.rsplit(":", 1)[-1].isdigit() else (value, "", "")
    path = Path(text).expanduser()
    if not path.is_file():
        raise FontError(f"TANZUJI_CJK_FONT names no font file: {value}")
    return FontFace(path, int(idx or 0), _family_of(path, int(idx or 0)))


def _family_of(path: Path, index: int) -> str:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(str(path), fontNumber=index, lazy=True)
    name = font["name"]
    return str(name.getBestFamilyName() or name.getDebugName(1) or path.stem)


def _from_fontconfig() -> FontFace | None:
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family", "style", "file", "index"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    faces: list[tuple[int, int, FontFace]] = []
    for line in listing.splitlines():
        # "/path/file.ttc: Family A,Family B:style=Regular:index=2"
        file_part, _, rest = line.partition(": ")
        fields = rest.split(":")
        families = [f.strip() for f in fields[0].split(",")] if fields else []
        attrs = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        style = attrs.get("style", "")
        index = int(attrs.get("index", "0") or 0)
        for fam in families:
            rank = PREFERRED.index(fam) if fam in PREFERRED else len(PREFERRED)
            regular = 0 if ("Regular" in style or "Book" in style or not style) else 1
            faces.append((rank, regular, FontFace(Path(file_part), index, fam)))
    if not faces:
        return None
    faces.sort(key=lambda t: (t[0], t[1], str(t[2].path)))
    return faces[0][2]


def _from_glob() -> FontFace | None:
    patterns = ("NotoSansCJK*Regular*.tt[cf]", "NotoSansCJK*Regular*.otf", "SourceHanSans*", "wqy*")
    for base in FONT_DIRS:
        root = Path(base).expanduser()
        if not root.is_dir():
            continue
        for pattern in patterns:
            for path in sorted(root.rglob(pattern)):
                index = _sc_index(path) if path.suffix.lower() == ".ttc" else 0
                return FontFace(path, index, _family_of(path, index))
    return None


def _sc_index(path: Path) -> int:
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(path), lazy=True)
    for i, font in enumerate(coll.fonts):
        if font["name"].getBestFamilyName() == "Noto Sans CJK SC":
            return i
    return 0


@lru_cache(maxsize=1)
def cjk_face() -> FontFace:
    """The CJK face to use, or :class:`FontError` with an installation hint."""
    face = _from_env() or _from_fontconfig() or _from_glob()
    if face is None:
        raise FontError(f"no CJK-capable font found; {HINT}")
    return face


def cjk_family() -> str:
    """The family name of the CJK face, for CSS ``font-family``."""
    return cjk_face().family


def css_font_list() -> str:
    """The report's CSS ``font-family`` list: the CJK face found, then the usual ones."""
    try:
        family = cjk_family()
    except FontError:
        family = "Noto Sans CJK SC"
    names = [family, "Noto Sans CJK SC", "DejaVu Sans"]
    unique = list(dict.fromkeys(names))
    return ", ".join(f'"{n}"' for n in unique) + ", sans-serif"


@lru_cache(maxsize=1)
def cjk_font_file() -> Path:
    """A file holding exactly the CJK face (extracted from a collection and cached if needed)."""
    face = cjk_face()
    if not face.is_collection:
        return face.path
    stat = face.path.stat()
    key = hashlib.sha256(
        f"{face.path.resolve()}|{face.index}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    ).hexdigest()[:12]
    safe = "".join(ch for ch in face.family if ch.isalnum()) or "CJK"
    target = cache_dir() / f"{safe}-{key}.otf"
    if target.is_file():
        return target
    from fontTools.ttLib import TTFont

    font = TTFont(str(face.path), fontNumber=face.index)
    write_atomic(target, lambda tmp: font.save(str(tmp)))
    return target


@lru_cache(maxsize=1)
def stamp_charset() -> frozenset[str]:
    """Printable ASCII, Latin-1 punctuation and every character of GB 2312.

    >>> cs = stamp_charset()
    >>> len(cs) > 7000, "签" in cs, "：" in cs, "𠀀" in cs
    (True, True, True, False)
    """
    chars = {chr(c) for c in range(0x20, 0x7F)} | set("·×—–‘’“”…°±µ²³")
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes((b1, b2)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def stamp_font_file(text: str = "") -> Path:
    """A small font file for the signature stamp that covers ``text`` (see the module doc)."""
    full = cjk_font_file()
    if any(ch not in stamp_charset() for ch in text if not ch.isspace()):
        return full
    target = full.with_name(full.stem + "-stamp.otf")
    if target.is_file():
        return target
    try:
        import uharfbuzz as hb  # type: ignore[import-untyped]
    except ImportError:
        return full
    face = hb.Face(hb.Blob.from_file_path(str(full)))
    spec = hb.SubsetInput()
    spec.unicode_set.update(ord(ch) for ch in stamp_charset())
    drop = spec.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "JSTF", "MATH"):
        drop.add(int.from_bytes(tag.encode("ascii"), "big"))
    subset = hb.subset(face, spec)
    if subset is None:
        return full
    write_atomic(target, bytes(subset.blob.data))
    return target
