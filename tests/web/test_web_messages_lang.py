"""Messages of the web platform's own checks (uploads, settings) in the language in force:
one language at a time, never English in a Chinese session."""

from __future__ import annotations

import io
import zipfile

import pytest

from tanzuji.errors import InputError
from tanzuji.i18n import use_lang

from .conftest import SECRET


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


UPLOAD_CASES: list[tuple[str, bytes, dict[str, str]]] = [
    ("s.txt", b"x", {"zh": "应为研究文件（扩展名为 .yaml、.yml、.json、.xlsx）",
                         "en": "expected a study file ending in .yaml, .yml, .json, .xlsx"}),
    ("s.yaml", b"x" * 2000, {"zh": "文件超过 1000 字节",
                            "en": "the file is larger than 1000 bytes"}),
    ("s.xlsx", b"not a zip", {"zh": "不是 Excel 工作簿（.xlsx 文件是 zip 压缩包）",
                             "en": "not an Excel workbook (.xlsx is a zip archive)"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "texts"), UPLOAD_CASES, ids=["suffix", "size", "zip"])
def test_upload_refusals_are_worded_in_the_language_in_force(
    name: str, data: bytes, texts: dict[str, str]
) -> None:
    from tanzuji.web.uploads import study_upload

    for lang, text in texts.items():
        upload = study_upload(data, f"dir/{name}", max_bytes=1000)
        with use_lang(lang), pytest.raises(InputError) as info, upload:
            pass
        assert info.value.message == text and info.value.location.file == name


def test_workbook_checks_are_worded_in_the_language_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tanzuji.web import uploads

    many = _zip({f"xl/{i}.xml": b"" for i in range(4)})
    bomb = _zip({"xl/big.xml": b"0" * (3 << 20)})
    monkeypatch.setattr(uploads, "MAX_ZIP_ENTRIES", 3)
    cases = [
        (many, {}, "工作簿的组成部分超过 3 个", "the workbook has more than 3 parts"),
        (bomb, {"max_unpacked": 1000}, "工作簿解压后超过 1000 字节",
         "the workbook unpacks to more than 1000 bytes"),
        (bomb, {}, "工作簿的压缩率高得可疑（可能是 zip 炸弹）",
         "the workbook is compressed suspiciously well (zip bomb?)"),
    ]  # fmt: skip
    for data, kwargs, zh, en in cases:
        for lang, text in (("zh", zh), ("en", en)):
            with use_lang(lang), pytest.raises(InputError) as info:
                uploads.check_zip(data, **kwargs)
            assert info.value.message == text


def test_settings_refusals_are_worded_in_the_language_in_force() -> None:
    from tanzuji.web.settings import WebSettings

    for lang, text in (("zh", "应为正数"), ("en", "must be positive")):
        with use_lang(lang), pytest.raises(InputError) as info:
            WebSettings(secret_key=SECRET, max_upload_bytes=0)
        assert info.value.message == text and info.value.location.path == "max_upload_bytes"
    for lang, text in (("zh", "密钥至少应有 32 个字符"), ("en", "at least 32 characters")):
        with use_lang(lang), pytest.raises(InputError) as info:
            WebSettings(secret_key="short")
        assert text in info.value.message
