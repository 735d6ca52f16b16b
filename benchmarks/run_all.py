"""Run every benchmark of issue 3 in one process, print a table, update docs/performance.md.

    .venv/bin/python benchmarks/run_all.py            # what `make bench` runs
    .venv/bin/python benchmarks/run_all.py --quick    # smaller runs, docs untouched

(a) draws/s of tanzuji's Monte Carlo against raw numpy generation of the same draws,
(b) the same meter model in Brightway (iterations/s of ``next(lca)``),
(c) adaptive Monte Carlo wall time, (d) ``gum`` with full budget on 20,000 inputs.
Exit status 0 even when a goal is missed (the table says so); 1 on a failed check.
"""

from __future__ import annotations

import os

# Before anything imports tqdm or bw2data: no progress bars in the output.
os.environ.setdefault("TQDM_DISABLE", "1")

import argparse
import sys
from dataclasses import dataclass

from bench_gum import GOAL_S, GumBenchResult, bench_gum
from bench_montecarlo import (
    GOAL_ADAPTIVE_S,
    GOAL_RATIO,
    AdaptiveResult,
    DrawsResult,
    bench_adaptive,
    bench_draws,
    monte_carlo,
)
from common import (
    PERFORMANCE_MD,
    eprint,
    fmt_rate,
    fmt_s,
    load_meter,
    machine_info,
    md_table,
    timed,
    update_sections,
)


@dataclass(frozen=True)
class Options:
    trials: int
    repeats: int
    adaptive_repeats: int
    iterations: int
    gum_inputs: int
    gum_repeats: int
    brightway: bool
    write: bool


def parse(argv: list[str] | None) -> Options:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="small runs; do not write the docs")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    ap.add_argument("--no-brightway", action="store_true", help="skip (b)")
    ap.add_argument("--trials", type=int, help="Monte Carlo trials per run of (a)")
    ap.add_argument("--iterations", type=int, help="Brightway iterations of (b)")
    a = ap.parse_args(argv)
    quick = bool(a.quick)
    return Options(
        trials=a.trials or (200_000 if quick else 1_000_000),
        repeats=3 if quick else 5,
        adaptive_repeats=2 if quick else 5,
        iterations=a.iterations or (300 if quick else 2_000),
        gum_inputs=20_000,
        gum_repeats=4 if quick else 11,
        brightway=not a.no_brightway,
        write=not (a.no_write or quick),
    )


def summary(
    draws: DrawsResult,
    adaptive: AdaptiveResult,
    gum_res: GumBenchResult,
    bw: object | None,
) -> list[list[str]]:
    def ok(met: bool) -> str:
        return "met" if met else "MISSED"

    rows = [
        [
            "(a) Monte Carlo draws/s vs raw numpy",
            fmt_rate(draws.ours_rate),
            fmt_rate(draws.raw_rate),
            f"{draws.ratio:.2f}",
            f"≥ {GOAL_RATIO}",
            ok(draws.met),
        ]
    ]
    if bw is not None:
        from bench_brightway import GOAL_FACTOR, BrightwayResult

        assert isinstance(bw, BrightwayResult)
        rows.append(
            [
                "(b) draws/s vs Brightway `next(lca)`/s",
                fmt_rate(bw.ours_rate),
                fmt_rate(bw.rate),
                f"{bw.factor:,.0f}",
                f"≥ {GOAL_FACTOR:g}",
                ok(bw.met),
            ]
        )
    else:
        rows.append(["(b) Brightway", "skipped", "", "", "≥ 500", "not run"])
    rows += [
        [
            "(c) adaptive Monte Carlo, ndig = 2",
            fmt_s(adaptive.timing.median),
            "",
            "",
            f"< {GOAL_ADAPTIVE_S:g} s",
            ok(adaptive.met),
        ],
        [
            f"(d) gum + budget, {gum_res.n:,} inputs (warm median)",
            fmt_s(gum_res.warm.median),
            f"cold {fmt_s(gum_res.timing.first)}",
            "",
            f"< {GOAL_S * 1e3:g} ms",
            ok(gum_res.met),
        ],
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    opt = parse(argv)
    info = machine_info()
    print("tanzuji benchmarks (issue 3)")
    for k, v in info.items():
        print(f"  {k}: {v}")
    meter = load_meter()
    print(
        f"  meter model: {len(meter.inputs)} inputs ({meter.uncertain} sampled), "
        f"{len(meter.model.terms)} terms, E_total = {meter.estimate():.6f} kgCO2e"
    )

    eprint("(d) gum, 20,000 inputs ...")  # first, so its first call is really cold
    gum_res = bench_gum(opt.gum_inputs, opt.gum_repeats)
    eprint("(a) Monte Carlo draws/s ...")
    draws = bench_draws(meter, opt.trials, opt.repeats)
    eprint("(c) adaptive Monte Carlo ...")
    adaptive = bench_adaptive(meter, opt.adaptive_repeats)
    bw = None
    if opt.brightway:
        eprint("(b) Brightway ...")
        try:
            from bench_brightway import bench_brightway
        except ImportError as exc:  # pragma: no cover - depends on the environment
            eprint(f"  skipped: {exc} (install with: pip install -e '.[bench]')")
        else:

            def ours() -> tuple[float, float, float]:
                t, res = timed(
                    lambda: monte_carlo(meter.model, meter.inputs, trials=opt.trials, seed=7)
                )
                return t, res.value, res.u

            bw = bench_brightway(meter, opt.iterations, ours, opt.trials)

    header = ["benchmark", "tanzuji", "baseline", "ratio", "goal", "status"]
    rows = summary(draws, adaptive, gum_res, bw)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))

    if opt.write:
        machine = "\n".join(
            [
                "## Machine and summary",
                "",
                md_table(["", ""], [[k, v] for k, v in info.items()]),
                "",
                "The machine is shared (other jobs may run beside the benchmarks): ratios are "
                "measured in the same process, interleaved with their baselines, and are more "
                "telling than absolute times.",
                "",
                md_table(header, rows),
            ]
        )
        sections = {"machine": machine, "a-draws": draws.markdown()}
        if bw is not None:
            sections["b-brightway"] = bw.markdown()
        sections["c-adaptive"] = adaptive.markdown()
        sections["d-gum"] = gum_res.markdown()
        update_sections(sections)
        print(f"\nwrote {PERFORMANCE_MD.relative_to(PERFORMANCE_MD.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
