"""Evaluating an uploaded study in the web shell: JJF, full GUM, Monte Carlo job work;
preparing an uploaded study (and its product picture) to be saved as a revision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tanzuji.i18n import tr
from tanzuji.web.jobs import Progress
from tanzuji.web.uploads import PICTURE_FIELD, place_picture, shown_name, study_upload

if TYPE_CHECKING:
    from tanzuji.services.save import PreparedSave

__all__ = [
    "MAX_TRIALS",
    "PictureUpload",
    "evaluate_upload",
    "monte_carlo_work",
    "prepare_upload",
    "table_a8",
]

MAX_TRIALS = 2_000_000


def evaluate_upload(
    data: bytes, filename: str | None, *, full: bool, max_bytes: int
) -> dict[str, Any]:
    """The JSON result contract of an uploaded study (with ``full`` GUM when asked)."""
    from tanzuji.calculation import evaluate_full
    from tanzuji.jsonio import full_to_dict, result_to_dict
    from tanzuji.services.evaluation import loaded_model
    from tanzuji.studyfiles import evaluate_file

    with study_upload(data, filename, max_bytes=max_bytes) as path:
        try:
            loaded, result = evaluate_file(path)
        except Exception as exc:
            raise _shown(exc, path.name, filename) from None
        out = result_to_dict(result, loaded.study, loaded.factors)
        if full:
            out["full"] = full_to_dict(evaluate_full(loaded_model(loaded)))
    return out


@dataclass(frozen=True)
class PictureUpload:
    """A product picture uploaded with a study: its bytes and the user's file name."""

    data: bytes
    filename: str | None

    @property
    def shown(self) -> str:
        """The name errors show (never used as a path)."""
        return shown_name(self.filename, "picture")


def prepare_upload(
    data: bytes, filename: str | None, *, max_bytes: int, picture: PictureUpload | None = None
) -> PreparedSave:
    """An uploaded study (and the product picture uploaded with it) ready to be stored.

    The picture is placed beside the study under the name ``product.picture`` gives
    (:func:`~tanzuji.web.uploads.place_picture`), then kept as the command line keeps it
    (:func:`~tanzuji.services.save.prepare_save`); a picture that cannot be kept is an
    error naming it. Without a picture, a study that names one is saved without it, and
    the save's note says why.
    """
    import dataclasses

    from tanzuji.report.errors import ReportError
    from tanzuji.services.save import prepare_save
    from tanzuji.studyfiles import evaluate_file

    with study_upload(data, filename, max_bytes=max_bytes) as path:
        try:
            loaded, _ = evaluate_file(path)
        except Exception as exc:
            raise _shown(exc, path.name, filename) from None
        if picture is not None:
            place_picture(path.parent, loaded.study.product.picture, picture.data, picture.shown)
        try:
            prep = prepare_save(loaded, source=data, strict_picture=picture is not None)
        except ReportError as exc:
            if picture is None:
                raise
            raise _picture_error(exc, picture.shown) from None
    ref = loaded.study.product.picture
    if picture is None and ref and prep.picture_note is not None:
        shown = ref if len(ref) <= 80 else ref[:80] + "…"
        note = tr(
            f"研究指定了产品图片 {shown}，但未随研究上传该图片，此修订未保存产品图片；"
            "由此修订签发的报告将没有产品图片",
            f"the study names the product picture {shown}, but it was not uploaded with the "
            "study, so this revision holds no product picture and reports issued from it will "
            "show none",
        )
        prep = dataclasses.replace(prep, picture_note=note)
    return prep


def _picture_error(exc: Exception, shown: str) -> Exception:
    """A picture that cannot be kept, as an input error naming the uploaded file and the
    study field (the report's own wording of what is wrong, without temporary paths)."""
    from tanzuji.errors import InputError

    message = str(getattr(exc, "message", exc))
    for prefix in (f"{PICTURE_FIELD}：", f"{PICTURE_FIELD}: "):
        message = message.removeprefix(prefix)
    text = tr(f"上传的产品图片不可用：{message}", f"the uploaded product picture: {message}")
    return InputError(text, file=shown, path=PICTURE_FIELD)


def _shown(exc: Exception, temp_name: str, filename: str | None) -> Exception:
    """The error with the user's file name in place of the temporary one."""
    import copy
    import dataclasses

    from tanzuji.errors import InputError, InputErrors

    shown = filename or temp_name

    def fix(e: InputError) -> InputError:
        loc = e.location
        if loc.file is not None and not loc.file.endswith(temp_name):
            return e
        new = copy.copy(e)
        new.location = dataclasses.replace(loc, file=shown)
        new.args = (str(new),)
        return new

    if isinstance(exc, InputErrors):
        return InputErrors([fix(e) for e in exc.errors])
    if isinstance(exc, InputError):
        return fix(exc)
    return exc


def monte_carlo_work(
    data: bytes, filename: str | None, *, max_bytes: int, seed: int | None, trials: int | None
) -> Callable[[Progress], dict[str, Any]]:
    """Validate and compile now (errors go to the uploader at once); draw later in a job."""
    from tanzuji.calculation import evaluate_full
    from tanzuji.jsonio import result_to_dict
    from tanzuji.services.evaluation import loaded_model
    from tanzuji.studyfiles import evaluate_file

    with study_upload(data, filename, max_bytes=max_bytes) as path:
        try:
            loaded, result = evaluate_file(path)
        except Exception as exc:
            raise _shown(exc, path.name, filename) from None
        model = loaded_model(loaded)
    base = result_to_dict(result, loaded.study, loaded.factors)

    def work(progress: Progress) -> dict[str, Any]:
        from tanzuji.calculation import evaluate_monte_carlo
        from tanzuji.jsonio import full_to_dict, monte_carlo_to_dict

        full = evaluate_full(model)
        mc = evaluate_monte_carlo(model, full, trials=trials, seed=seed, progress=progress)
        return {**base, "full": full_to_dict(full), "monte_carlo": monte_carlo_to_dict(mc)}

    return work


def table_a8(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """Rows of Table A.8 (stage, value, u) and the total line, formatted for display."""
    from tanzuji.model import Stage
    from tanzuji.report.context import fmt_pair, fmt_rel

    rows = []
    for stage in Stage:
        r = result["stages"].get(stage.value)
        name = stage.zh if lang == "zh" else stage.en
        if r is None:
            rows.append({"stage": name, "value": None, "u": None})
        else:
            v, u = fmt_pair(r["value"], r["u"])
            rows.append({"stage": name, "value": v, "u": u})
    t = result["total"]
    value, U = fmt_pair(t["value"], t["U"])
    _, u = fmt_pair(t["value"], t["u"])
    contributions = []
    for c in result.get("contributions", [])[:10]:
        st = Stage(c["stage"])
        contributions.append(
            {
                "activity": c["activity"]
                if lang == "zh"
                else (c.get("activity_en") or c["activity"]),
                "stage": st.zh if lang == "zh" else st.en,
                "value": fmt_pair(c["value"], c["u"])[0],
                "share": "—" if c.get("share") is None else f"{100 * c['share']:.1f} %",
            }
        )
    return {
        "rows": rows,
        "total": {
            "value": value,
            "u": u,
            "U": U,
            "k": f"{t['k']:g}",
            "U_rel": fmt_rel(t.get("U_rel_percent")),
        },
        "contributions": contributions,
        "unit": result.get("unit", "kgCO2e"),
    }
