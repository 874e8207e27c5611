"""Convergence study: how far each benchmark's default training budget (config/default.yaml) is from the
plateau of its model (docs/convergence.md; Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797). Not part of
the workflow and not a test: it prints tables and writes a CSV and a figure.

Per benchmark, one seed, the default run's settings (sibench.config.train_spec of config/default.yaml):
the benchmark's first method whose fields the evaluation compares with the exact oracle (independent
coupling: sibench.stages.sample_metrics.field_error_rows; on the bridge pairs that is bridge-bs, since
sb-bs re-pairs with entropic OT), its first method on the checkerboards. Two trainings:

* "stretched": `--factor` (4) x the default steps, with the learning-rate schedule stretched by the same
  factor (lr_every x 4), the model so far (its averaged weights, si.training.train's `monitor`) evaluated
  every default/4 steps;
* "default": the default run's own training (same seed, same schedule: the model the default run
  evaluates), evaluated at its end;
* "cosine" (`--cosine`, 1 and 2 x the default steps): the same learning rate on the cosine schedule
  (si.training.TrainConfig's lr_schedule="cosine", lr (1 + cos(pi k / steps)) / 2), evaluated at its end:
  what the default budget, or twice it, gives with a schedule that decays only at the end.

Measures: the relative field errors E|f^ - f|^2 / E|f|^2 of b and s against the exact oracle at the default
run's 2000 fixed points (field_error_rows itself, evaluation.field_n), and on the checkerboards the
support fraction of 5000 ODE samples (the evaluation's ODE sampler at its largest step count, from a fixed
x0). cpu_s is the process CPU time of the training so far, the evaluations excluded (and a 5-step warm-up
before); torch runs on one thread. A checkpoint of the stretched run is the model after that many steps of
a schedule laid out for the longer budget, not a run of that length: its learning rate has not yet decayed
as far (the default run's own model, trained with its own schedule, is therefore measured beside it).

Run (the five benchmarks of benchmarks/convergence.csv, SUBSET: 331 CPU-seconds measured with
the cosine runs, 206 without, on one core; `--benchmarks all`, the twelve of the config, about 7 CPU-minutes
without them by the same per-model costs):
    nice -n 19 python benchmarks/convergence_study.py
It writes benchmarks/convergence.csv and docs/figures/convergence.png and prints the table of
docs/convergence.md; --plot-only redraws both from the CSV. --quick (about 10 CPU-seconds, under a minute
on an idle core: gmm-pair and gauss-checkerboard at 1/20 of their budgets, factor 2, 500 points) checks
that the script runs end to end and writes to a temporary folder unless --csv / --figure are given.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the checkout this script belongs to

import pandas as pd
import torch
import yaml

from si.training import TrainConfig, train
from sibench.config import checked_config, evaluate_spec, train_spec
from sibench.config.specs import Integrator
from sibench.pairs import get_benchmark
from sibench.seeds import generator
from sibench.stages.sample_metrics import field_error_rows
from sibench.stages.sampling import sample_model
from sibench.stages.train import coupling_of

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "default.yaml"
SCHEMA = ROOT / "config" / "schema" / "config.schema.yaml"
CSV = ROOT / "benchmarks" / "convergence.csv"
FIGURE = ROOT / "docs" / "figures" / "convergence.png"
TARGET = 0.93          # the support-fraction target on the checkerboard
SUBSET = ["gauss-checkerboard", "gauss-8gaussians", "gmm-pair", "hd-mixture-d16", "sb-gauss-d2-s1"]
WITHIN = 0.10          # "converged": within 10% of the error at factor x the default budget
COLUMNS = ["benchmark", "method", "schedule", "schedule_steps", "steps", "cpu_s", "field_rel_mse_b",
           "field_rel_mse_s", "support_fraction"]


def study_method(config: dict, benchmark: str) -> str:
    """The benchmark's first method the evaluation compares with the exact oracle (independent coupling),
    or its first method where the pair has no oracle (the checkerboards: support fraction only)."""
    methods = config["benchmarks"][benchmark]["methods"]
    if not get_benchmark(benchmark).has_oracle:
        return methods[0]
    for m in methods:
        if train_spec(config, benchmark, m, 0).model.coupling == "independent":
            return m
    raise ValueError(f"{benchmark}: no method with the independent coupling, so no field error to measure")


def measure(benchmark: str, ev, model, n_support: int) -> dict:
    """The relative field errors of b and s (NaN without an oracle) and the support fraction (NaN off the
    checkerboards) of one model."""
    out = {"field_rel_mse_b": math.nan, "field_rel_mse_s": math.nan, "support_fraction": math.nan}
    for row in field_error_rows(ev, model):
        out[row["metric"]] = row["value"]
    pair = get_benchmark(benchmark)
    if hasattr(pair.rho1, "support_fraction"):
        x0 = pair.rho0.sample(n_support, generator=generator("convergence-x0", benchmark, ev.seed))
        s = ev.sampling
        ode = Integrator(s.ode.method, (max(s.ode.steps),))
        with torch.no_grad():
            (res,) = sample_model(model, x0.float(), ode, ode, [], ode_window=s.window, sde_window=s.window,
                                  sde_generator=lambda *_: None).values()
        x = res.x[torch.isfinite(res.x).all(1)]
        out["support_fraction"] = pair.rho1.support_fraction(x) * len(x) / len(res.x)   # non-finite: outside
    return out


def run_benchmark(config: dict, benchmark: str, factor: int, seed: int, n_support: int,
                  steps: int = 0, cosine=()) -> pd.DataFrame:
    """The stretched run's checkpoints and the default run's model of one benchmark (module doc).
    steps > 0 replaces the default budget (the learning-rate period scaled with it: --quick)."""
    method = study_method(config, benchmark)
    spec = train_spec(config, benchmark, method, seed)
    ev = evaluate_spec(config, benchmark, method, seed)
    pair = get_benchmark(benchmark)
    base = TrainConfig(**spec.train.to_dict(), seed=seed, threads=1)
    if steps:
        base = dataclasses.replace(base, steps=steps, lr_every=max(1, round(base.lr_every * steps / base.steps)))
    every = base.steps // 4
    if every * 4 != base.steps:
        raise ValueError(f"{benchmark}: the checkpoints are every default/4 steps, but {base.steps} steps "
                         f"is not a multiple of 4")
    long = dataclasses.replace(base, steps=factor * base.steps, lr_every=factor * base.lr_every, check_every=every)
    rows = []

    def run(cfg: TrainConfig, schedule: str, at) -> None:
        spent, start = [0.0], time.process_time()

        def monitor(step, model):
            if step not in at:
                return
            c0 = time.process_time()
            rows.append({"benchmark": benchmark, "method": method, "schedule": schedule,
                         "schedule_steps": cfg.steps, "steps": step, "cpu_s": c0 - start - spent[0],
                         **measure(benchmark, ev, model, n_support)})
            spent[0] += time.process_time() - c0
            r = rows[-1]
            print(f"  {schedule:9s} step {step:5d}  cpu {r['cpu_s']:6.1f} s  b {r['field_rel_mse_b']:.4f}  "
                  f"s {r['field_rel_mse_s']:.4f}  support {r['support_fraction']:.4f}", flush=True)
        train(spec.model.interpolant(), spec.model.objective, pair.rho0, pair.rho1, cfg,
              coupling=coupling_of(spec.model), log=io.StringIO(), monitor=monitor)

    train(spec.model.interpolant(), spec.model.objective, pair.rho0, pair.rho1,   # warm-up: lazy imports, first
          dataclasses.replace(base, steps=5), coupling=coupling_of(spec.model), log=io.StringIO())  # kernel calls
    c0 = time.process_time()
    print(f"{benchmark} / {method}: default {base.steps} steps (lr x {base.lr_decay} every {base.lr_every}), "
          f"{base.depth} x {base.hidden}, batch {base.batch}; stretched {long.steps} steps", flush=True)
    run(long, "stretched", set(range(every, long.steps + 1, every)))
    run(base, "default", {base.steps})
    for k in cosine:
        run(dataclasses.replace(base, steps=k * base.steps, lr_schedule="cosine", check_every=k * base.steps),
            "cosine", {k * base.steps})
    print(f"{benchmark}: {time.process_time() - c0:.1f} CPU-seconds in all (training and evaluation)", flush=True)
    return pd.DataFrame(rows, columns=COLUMNS)


def steps_within(d: pd.DataFrame, error: str) -> float:
    """The fewest checkpoint steps from which on every later checkpoint's error is within WITHIN of the
    last one's (NaN if the error is not measured)."""
    d = d.sort_values("steps")
    e = d[error].to_numpy()
    if not math.isfinite(e[-1]):
        return math.nan
    ok = e <= (1 + WITHIN) * e[-1]
    bad = [i for i in range(len(e)) if not ok[i]]
    return float(d["steps"].iloc[bad[-1] + 1 if bad else 0])


def reading(df: pd.DataFrame) -> pd.DataFrame:
    """Per benchmark and error (field b, field s, 1 - support fraction): the error of the default run's
    model, of the stretched run at the default budget and at its end (factor x the default budget), their
    ratios to the latter, the slope of log error against log steps over the last doubling of steps (0 on a
    plateau), and steps_within."""
    out = []
    for (bench, method), d in df.groupby(["benchmark", "method"], sort=False):
        long = d[d["schedule"] == "stretched"].copy()
        default = d[d["schedule"] == "default"].iloc[0]
        budget = int(default["steps"])
        long["outside"] = 1 - long["support_fraction"]
        errors = {"b": "field_rel_mse_b", "s": "field_rel_mse_s", "1 - support": "outside"}
        for name, col in errors.items():
            last = long.sort_values("steps").iloc[-1]
            at = long[long["steps"] == budget].iloc[0]
            half = long[long["steps"] == last["steps"] // 2].iloc[0]
            e_default = 1 - default["support_fraction"] if col == "outside" else default[col]
            if not math.isfinite(last[col]):
                continue
            out.append({"benchmark": bench, "method": method, "error": name, "default_steps": budget,
                        "default_run": e_default, "stretched_at_default": at[col], "at_end": last[col],
                        "ratio_default_run": e_default / last[col], "ratio_stretched": at[col] / last[col],
                        "slope_last_doubling": math.log2(last[col] / half[col]),
                        "steps_within_10pct": steps_within(long, col), "cpu_s_default": default["cpu_s"],
                        "cpu_s_end": last["cpu_s"],
                        **{f"cosine_{int(c['steps']) // budget}x": (1 - c["support_fraction"] if col == "outside"
                                                                    else c[col])
                           for _, c in d[d["schedule"] == "cosine"].iterrows()}})
    return pd.DataFrame(out)


def plot(df: pd.DataFrame, path: Path, field_n: int, support_n: int) -> None:
    """Panels: the relative error of b, of s (log-log), the support fraction on the checkerboards; one colour
    per benchmark, its default budget a dotted vertical line, the default run's own model a star."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.6), layout="constrained")
    panels = [(axes[0], "field_rel_mse_b", r"relative error of $b$: $\mathbb{E}|\hat b - b|^2 / \mathbb{E}|b|^2$"),
              (axes[1], "field_rel_mse_s", r"relative error of $s$: $\mathbb{E}|\hat s - s|^2 / \mathbb{E}|s|^2$"),
              (axes[2], "support_fraction", rf"support fraction of ${support_n}$ ODE samples")]
    legends = {}
    for ax, col, label in panels:
        d_all = df[df[col].notna()]
        for i, ((bench, method), d) in enumerate(d_all.groupby(["benchmark", "method"], sort=False)):
            c = f"C{i % 10}"
            long, default = d[d["schedule"] == "stretched"], d[d["schedule"] == "default"]
            ax.plot(long["steps"], long[col], color=c, marker="o", ms=3, lw=1.2,
                    ls="-" if i < 10 else "--")
            ax.plot(default["steps"], default[col], color=c, marker="*", ms=11, ls="none", mec="k", mew=0.5)
            cos = d[d["schedule"] == "cosine"]
            ax.plot(cos["steps"], cos[col], color=c, marker="D", ms=6, ls="none", mec="k", mew=0.5)
            ax.axvline(int(default["steps"].iloc[0]), color=c, lw=0.8, ls=":")
            legends.setdefault(col == "support_fraction", {})[f"{bench} ({method})"] = Line2D(
                [], [], color=c, marker="o", ms=3, ls="-" if i < 10 else "--", label=f"{bench} ({method})")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(r"training steps (log scale)")
        ax.set_ylabel(label + ("" if col == "support_fraction" else " (dimensionless)"))
        ax.grid(alpha=0.3, which="both")
    for ax in axes[:2]:
        ax.set_yscale("log")
        ax.set_title(rf"against the exact oracle at ${field_n}$ fixed points $x_t$, seed 0", fontsize=9)
    axes[2].axhline(TARGET, color="0.3", lw=0.9, ls="--")
    axes[2].set_title(r"checkerboard targets, seed 0", fontsize=9)
    keys = [Line2D([], [], color="0.4", marker="o", ms=3, label=rf"stretched run ($\times${_factor(df)} steps, "
                                                                 r"learning-rate schedule stretched)"),
            Line2D([], [], color="0.6", marker="*", ms=11, ls="none", mec="k", label="the default run's model"),
            Line2D([], [], color="0.6", marker="D", ms=6, ls="none", mec="k",
                   label=r"cosine schedule, $\times 1$ and $\times 2$ the default steps"),
            Line2D([], [], color="0.4", lw=0.8, ls=":", label="default budget"),
            Line2D([], [], color="0.3", lw=0.9, ls="--", label=rf"target support fraction ${TARGET}$")]
    fig.legend(handles=list(legends.get(False, {}).values()) + keys, loc="outside lower left", ncol=4, fontsize=8,
               frameon=False)
    axes[2].legend(handles=list(legends.get(True, {}).values()), loc="best", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _factor(df: pd.DataFrame) -> int:
    """The stretched run's budget over the default one."""
    steps = df.groupby("schedule")["schedule_steps"]
    return int(round(steps.max()["stretched"] / steps.max()["default"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--benchmarks", default=",".join(SUBSET),
                    help="comma-separated benchmarks of the config, or 'all' (default: the five of the CSV)")
    ap.add_argument("--factor", type=int, default=4, help="the stretched run's budget over the default one")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cosine", default="1,2", help="budgets (x the default steps) trained on the cosine "
                                                     "schedule; empty: none")
    ap.add_argument("--support-n", type=int, default=5000, help="ODE samples of the support fraction")
    ap.add_argument("--csv", default=None, help=f"the CSV written (default {CSV.relative_to(ROOT)})")
    ap.add_argument("--figure", default=None, help=f"the PNG written (default {FIGURE.relative_to(ROOT)})")
    ap.add_argument("--append", action="store_true",
                    help="keep the CSV's rows of the other benchmarks (run a few benchmarks at a time)")
    ap.add_argument("--plot-only", action="store_true", help="redraw the figure and table from the CSV")
    ap.add_argument("--quick", action="store_true", help="a check that it runs: about 10 CPU-seconds (module doc)")
    args = ap.parse_args()
    quick_dir = Path(tempfile.mkdtemp(prefix="convergence-")) if args.quick else None
    csv = Path(args.csv) if args.csv else (quick_dir / "convergence.csv" if args.quick else CSV)
    figure = Path(args.figure) if args.figure else (quick_dir / "convergence.png" if args.quick else FIGURE)
    torch.set_num_threads(1)
    if not args.plot_only:
        with open(CONFIG, encoding="utf-8") as fh:
            config, _ = checked_config(yaml.safe_load(fh), SCHEMA, [CONFIG])
        benchmarks = (["gmm-pair", "gauss-checkerboard"] if args.quick else list(config["benchmarks"])
                      if args.benchmarks == "all" else args.benchmarks.split(","))
        unknown = sorted(set(benchmarks) - set(config["benchmarks"]))
        if unknown:
            raise SystemExit(f"--benchmarks: {unknown} not in {CONFIG.name}; valid: {list(config['benchmarks'])}")
        factor, n_support = (2, 500) if args.quick else (args.factor, args.support_n)
        if args.quick:
            config["evaluation"]["field_n"] = 500
        print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
        frames = []
        cosine = [int(k) for k in args.cosine.split(",") if k]
        for b in benchmarks:
            steps = config["benchmarks"][b].get("train", {}).get("steps", config["train"]["steps"]) // 20 // 4 * 4 \
                if args.quick else 0
            frames.append(run_benchmark(config, b, factor, args.seed, n_support, steps=steps, cosine=cosine))
        if args.append and csv.exists():
            old = pd.read_csv(csv)
            frames.insert(0, old[~old["benchmark"].isin(benchmarks)])
        order = {b: i for i, b in enumerate(config["benchmarks"])}   # the config's order, whatever the runs'
        df = pd.concat(frames, ignore_index=True).sort_values("benchmark", key=lambda b: b.map(order), kind="stable")
        csv.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(csv, index=False, float_format="%.6g")
    df = pd.read_csv(csv)
    with open(CONFIG, encoding="utf-8") as fh:
        field_n = 500 if args.quick else yaml.safe_load(fh)["evaluation"]["field_n"]
    plot(df, figure, field_n, 500 if args.quick else args.support_n)
    pd.set_option("display.width", 200)
    print(reading(df).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"wrote {csv} and {figure}")


if __name__ == "__main__":
    main()
