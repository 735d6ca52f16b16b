"""What the renderer may load: nothing from the network or the file system (issue 9).

The report's HTML is self-contained: the charts and the product picture are embedded as
``data:`` URIs. :func:`url_fetcher` is the only way WeasyPrint loads a resource, and it
serves ``data:`` URIs only — an ``http://``, ``file://`` or any other URL is refused (WeasyPrint
then leaves the resource out). The product picture is decoded with Pillow and re-encoded as
PNG before it is embedded, so what reaches the HTML is always a plain raster image; an SVG
picture is first rasterised by cairosvg with every outside reference refused.

>>> check_url("http://127.0.0.1:9/x.png")
Traceback (most recent call last):
...
tanzuji.report.errors.ReportError: the report refuses to load 'http://127.0.0.1:9/x.png'; ...
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tanzuji.errors import InputError
from tanzuji.fileio import read_bounded, resolve_inside
from tanzuji.i18n import tr
from tanzuji.report.errors import ReportError

__all__ = [
    "MAX_PICTURE_BYTES",
    "MAX_PICTURE_PIXELS",
    "MAX_REPORT_ACTIVITIES",
    "check_report_size",
    "check_url",
    "picture_data_uri",
    "picture_png",
    "png_data_uri",
    "sanitise_picture",
    "url_fetcher",
]

#: Largest picture file read (bytes) and largest decoded picture (pixels).
MAX_PICTURE_BYTES = 10_000_000
MAX_PICTURE_PIXELS = 25_000_000
#: Longest side of the embedded picture (larger ones are scaled down).
MAX_PICTURE_SIDE = 1600
_RASTER = {"PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"}


#: Most activities a report lays out. The PDF tables hold every activity; beyond this the
#: layout's memory grows past a few GB (a 100,000-activity study passed 14 GB), so the report
#: is refused with a clear message (``evaluate --json`` still gives the full result).
MAX_REPORT_ACTIVITIES = 5_000


def check_report_size(activities: int) -> None:
    """Refuse a report of more than :data:`MAX_REPORT_ACTIVITIES` activities.

    >>> check_report_size(10)
    >>> check_report_size(100_000)
    Traceback (most recent call last):
    ...
    tanzuji.report.errors.ReportError: ...100000...
    """

    if activities > MAX_REPORT_ACTIVITIES:
        raise ReportError(
            tr(
                f"研究含 {activities} 项活动，报告最多排版 {MAX_REPORT_ACTIVITIES} 项；"
                "请合并活动，或用 evaluate --json 获取完整结果",
                f"the study has {activities} activities; a report lays out at most "
                f"{MAX_REPORT_ACTIVITIES} (merge activities, or use evaluate --json for the "
                "full result)",
            )
        )


def check_url(url: str) -> None:
    """Refuse every URL but an embedded ``data:`` URI."""
    if not url.lstrip().lower().startswith("data:"):
        raise ReportError(
            f"the report refuses to load {url[:100]!r}; only embedded pictures are used"
        )


def url_fetcher(rewrite: Callable[[str], str] | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URIs only (no network, no files).

    ``rewrite`` maps each URL first (the render worker's chart placeholders to the charts'
    data URIs); what it returns is checked like any URL."""
    from tanzuji.report.weasy import import_weasyprint

    import_weasyprint()  # first, so the package's library search is the fast one
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class _DataOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if rewrite is not None:
                url = rewrite(url)
            check_url(url)
            return super().fetch(url, headers)

    return _DataOnly(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)


class _Refused(Exception):
    """An SVG picture tried to load an outside resource."""


def _refuse(url: str, resource_type: str | None = None) -> bytes:
    """cairosvg's URL fetcher: an SVG picture may load nothing (no file, no network)."""
    if url.startswith("data:image/"):
        from cairosvg.url import fetch  # type: ignore[import-untyped]

        result: bytes = fetch(url, resource_type)
        return result
    raise _Refused(url[:100])


def _rasterise_svg(data: bytes, field: str, where: str) -> bytes:
    """An SVG picture rendered as PNG with cairosvg: no entities, no outside resources,
    and a size bound checked before the pixels are allocated."""
    import cairosvg  # type: ignore[import-untyped]
    from cairosvg.surface import PNGSurface  # type: ignore[import-untyped]

    class _Bounded(PNGSurface):  # type: ignore[misc]
        def _create_surface(self, width: float, height: float) -> Any:
            if not (0 < width * height <= MAX_PICTURE_PIXELS):
                raise ReportError(
                    tr(
                        f"{field}：SVG 图片 {width:.0f}×{height:.0f} 像素；最多 "
                        f"{MAX_PICTURE_PIXELS} 像素",
                        f"{field}: SVG picture of {width:.0f}×{height:.0f} pixels; expected at "
                        f"most {MAX_PICTURE_PIXELS} pixels",
                    ),
                    file=where,
                )
            return super()._create_surface(width, height)

    try:
        tree = cairosvg.parser.Tree(bytestring=data, url_fetcher=_refuse, unsafe=False)
        out = io.BytesIO()
        surface = _Bounded(tree, out, 96)
        surface.finish()
    except ReportError:
        raise
    except _Refused as exc:
        raise ReportError(
            tr(
                f"{field}：SVG 图片引用了 {exc.args[0]!r}；图片不得加载外部文件或网址"
                "（应为自包含的图片）",
                f"{field}: the SVG picture refers to {exc.args[0]!r}; a picture may load no "
                "outside file or URL (expected a self-contained picture)",
            ),
            file=where,
        ) from None
    except Exception:  # cairosvg and the XML parser raise many kinds on bad files
        raise ReportError(
            tr(
                f"{field}：无法读取的 SVG 图片；应为 PNG、JPEG 或普通 SVG 图片",
                f"{field}: not a readable SVG picture; expected a PNG, JPEG or plain SVG image",
            ),
            file=where,
        ) from None
    return out.getvalue()


def picture_data_uri(ref: str, base_dir: Path, allowed: Sequence[Path] = ()) -> str:
    """The product picture as a ``data:image/png`` URI, after the file policy and a re-encode
    (:func:`picture_png`)."""
    return png_data_uri(picture_png(ref, base_dir, allowed))


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png`` URI of PNG bytes.

    >>> png_data_uri(b"x")
    'data:image/png;base64,eA=='
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def picture_png(ref: str, base_dir: Path, allowed: Sequence[Path] = ()) -> bytes:
    """The product picture re-encoded as PNG (what the report embeds, and what the store
    keeps with a revision).

    ``ref`` must name a regular file inside ``base_dir`` or an ``allowed`` folder (symlinks
    resolved); the file is decoded as a raster image (PNG, JPEG, GIF, BMP, WebP, TIFF) and
    re-encoded as PNG (:func:`sanitise_picture`). Errors name the field and the reference,
    never the file's content.
    """
    field = "product.picture"
    try:
        path = resolve_inside(ref, base_dir, allowed, what="picture")
        if not path.exists():
            raise ReportError(
                tr(
                    f"{field}：找不到图片；应为相对于研究文件的图片文件（得到 {ref!r}）",
                    f"{field}: picture not found; expected an image file relative to the study "
                    f"(got {ref!r})",
                ),
                file=str(path),
            )
        data = read_bounded(path, MAX_PICTURE_BYTES, what="picture")
    except InputError as exc:
        raise ReportError(f"{field}: {exc.message}", file=exc.location.file or ref) from None
    if path.suffix.lower() in (".svg", ".svgz") or data.lstrip()[:5] in (b"<?xml", b"<svg "):
        data = _rasterise_svg(data, field, str(path))
    return sanitise_picture(data, str(path))


def sanitise_picture(data: bytes, where: str) -> bytes:
    """Raster picture bytes decoded with Pillow and re-encoded as PNG (at most
    :data:`MAX_PICTURE_SIDE` pixels a side); anything else is a :class:`ReportError`.

    Pictures kept in the store go through this again before they are embedded.
    """
    field = "product.picture"
    if len(data) > MAX_PICTURE_BYTES:
        raise ReportError(
            tr(f"{field}：图片过大（{len(data)} 字节）", f"{field}: picture too large "
               f"({len(data)} bytes)"),
            file=where,
        )  # fmt: skip
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in _RASTER:
                raise ValueError(img.format)
            if img.width * img.height > MAX_PICTURE_PIXELS:
                raise ReportError(
                    tr(
                        f"{field}：图片过大（{img.width}×{img.height} 像素）；最多 "
                        f"{MAX_PICTURE_PIXELS} 像素",
                        f"{field}: picture too large ({img.width}×{img.height} pixels); expected "
                        f"at most {MAX_PICTURE_PIXELS} pixels",
                    ),
                    file=where,
                )
            img.load()
            frame = img.convert("RGBA")
    except ReportError:
        raise
    except Exception:  # Pillow raises many kinds on files that are not images
        raise ReportError(
            tr(
                f"{field}：无法读取的图片；应为 PNG、JPEG、WebP、GIF、BMP、TIFF 或 SVG 图片",
                f"{field}: not a readable picture; expected a PNG, JPEG, WebP, GIF, BMP, TIFF "
                "or SVG image",
            ),
            file=where,
        ) from None
    frame.thumbnail((MAX_PICTURE_SIDE, MAX_PICTURE_SIDE))
    out = io.BytesIO()
    frame.save(out, format="PNG", optimize=False)
    return out.getvalue()
