"""Evaluating stored content: the same function at save time and when reproducing later.

A study revision is evaluated from its canonical JSON and the factor-library revisions it
pins — never from files on disk — so re-evaluating an old revision gives the stored
numbers bit for bit (with the same engine version and, for Monte Carlo, seed and trials).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tanzuji import __version__
from tanzuji.calculation import compile_study, evaluate_full, evaluate_jjf, evaluate_monte_carlo
from tanzuji.factors import FactorLibrary
from tanzuji.jsonio import full_to_dict, monte_carlo_to_dict, result_to_dict
from tanzuji.model import Study
from tanzuji.model.study import EmissionFactor
from tanzuji.store.hashing import canonical_json, content_hash, sha256_hex

__all__ = [
    "ENGINE_VERSION",
    "EvaluationOutcome",
    "evaluate_content",
    "library_contents",
    "loaded_model",
    "rebuild_library",
    "study_content",
]

ENGINE_VERSION = __version__


def study_content(study: Study) -> dict[str, Any]:
    """The canonical content of a study (what a revision stores and hashes)."""
    data: dict[str, Any] = study.model_dump(mode="json")
    return data


_GROUP_CACHE: dict[tuple[str, tuple[int, ...]], tuple[tuple[Any, ...], dict[str, Any]]] = {}


def library_contents(factors: FactorLibrary) -> list[tuple[str, dict[str, Any]]]:
    """The resolved factors grouped by the library they came from (sorted, canonical).

    Factor objects come from the (cached, immutable) library files, so the dumped content
    of a group is cached by the identity of its factor objects (held, so never reused).
    """
    groups: dict[str, list[Any]] = {}
    for ef in factors:
        groups.setdefault(ef.library or factors.id, []).append(ef)
    out = []
    for key, efs in sorted(groups.items()):
        ck = (key, tuple(id(ef) for ef in efs))
        hit = _GROUP_CACHE.get(ck)
        if hit is None or any(a is not b for a, b in zip(hit[0], efs, strict=True)):
            rows = [ef.model_dump(mode="json") for ef in efs]
            content = {"library": key, "factors": sorted(rows, key=lambda r: str(r["id"]))}
            if len(_GROUP_CACHE) > 256:
                _GROUP_CACHE.clear()
            hit = (tuple(efs), content)
            _GROUP_CACHE[ck] = hit
        out.append((key, hit[1]))  # shared: callers never mutate it
    return out


def rebuild_library(contents: Sequence[dict[str, Any]]) -> FactorLibrary:
    """The factor library of a revision from its pinned library contents."""
    layers = [
        FactorLibrary.from_factors(
            (EmissionFactor.model_validate(f) for f in c["factors"]), id=str(c["library"])
        )
        for c in contents
    ]
    return FactorLibrary.layered(layers)


@dataclass(frozen=True)
class EvaluationOutcome:
    """A result ready to store: the JSON contract and what produced it."""

    method: str
    result: dict[str, Any]
    result_json: str
    result_sha256: str
    total_value: float
    total_u: float
    total_k: float
    mc_trials: int | None
    mc_seed: int | None
    engine_version: str = ENGINE_VERSION

    def evaluation_id(self, revision_id: str) -> str:
        """Same revision, method, engine, seed and numbers → same id (stored once)."""
        return content_hash(
            {
                "kind": "tanzuji.evaluation/1",
                "revision": revision_id,
                "method": self.method,
                "engine": self.engine_version,
                "result_sha256": self.result_sha256,
                "mc_trials": self.mc_trials,
                "mc_seed": self.mc_seed,
            }
        )


def loaded_model(loaded: Any) -> Any:
    """The measurement model of a loaded study file (``jsonio.LoadedStudy``), its component
    studies spliced in: a factor shared by parent and component stays one input, so the full
    GUM and Monte Carlo keep its correlation (the CLI and the web compile the same way)."""
    from tanzuji.jsonio import compile_loaded

    return compile_loaded(loaded)


def evaluate_content(
    content: dict[str, Any],
    libraries: Sequence[dict[str, Any]],
    *,
    full: bool = False,
    mc_trials: int | None = None,
    mc_seed: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> EvaluationOutcome:
    """Evaluate canonical study content against pinned library contents.

    ``full`` adds the full GUM section; ``mc_trials`` (with ``mc_seed``) adds Monte Carlo.
    """
    study = Study.model_validate(content)
    factors = rebuild_library(libraries)
    model = compile_study(study, factors)
    result = evaluate_jjf(model)
    data = result_to_dict(result, study, factors)
    method = "jjf"
    if full or mc_trials:
        full_res = evaluate_full(model)
        data["full"] = full_to_dict(full_res)
        method = "full"
        if mc_trials:
            seed = 0 if mc_seed is None else mc_seed
            mc = evaluate_monte_carlo(
                model, full_res, trials=mc_trials, seed=seed, progress=progress
            )
            data["monte_carlo"] = monte_carlo_to_dict(mc)
            method, mc_seed = "mc", seed
    # JSON round trip: what is stored is exactly what is compared later.
    data = json.loads(json.dumps(data, allow_nan=False))
    text = canonical_json(data)
    t = result.total
    return EvaluationOutcome(
        method=method,
        result=data,
        result_json=text,
        result_sha256=sha256_hex(text),
        total_value=float(t.value),
        total_u=float(t.u),
        total_k=float(t.k),
        mc_trials=mc_trials or None,
        mc_seed=mc_seed if mc_trials else None,
    )
