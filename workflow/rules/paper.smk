# The figures of Albergo, Boffi and Vanden-Eijnden (2023) as DAG targets (issue 6): each figure is
# written to report/figures/paper/ with the CSV of its numbers beside it, and declared with report()
# and a caption stating the claim it illustrates and the setting used. Settings: the config's
# `paper_figures:` section (absent: no paper figures; a figure with `enabled: false` is skipped).
# Computations and plots: sibench.paper, one module per figure. Figures 1, 2 and 5 need no training; figures 3
# and 4 reuse the sweep's checkpoints where the sweep trains exactly the same model
# (sibench.paper.models.plan_models) and train the others here (rule paper_train), so every figure job can run
# beside the sweep.
from sibench.paper import FIGURE_MODULES, code_version
from sibench.paper.fig5_bridge import bridge_evaluations
from sibench.paper.models import plan_models

PAPER = config.get("paper_figures") or {}
PAPER_DIR = "report/figures/paper"
# per figure rule: editing a figure's module (or what it imports) redoes that figure only
PAPER_CODE = {name: code_version(name) for name in FIGURE_MODULES}
PAPER_MODELS = plan_models(config, RUNS)
PAPER_CAT = "Paper figures"


def paper_on(name):
    """The figure is configured (an empty section means its defaults) and not disabled."""
    return name in PAPER and (PAPER[name] or {}).get("enabled", True)


def paper_settings(name):
    """The figure's settings without the keys that only plan the DAG."""
    return {k: v for k, v in (PAPER.get(name) or {}).items() if k not in ("enabled", "train", "reuse")}


def paper_item(path, caption, sub, what):
    return report(path, caption=caption, category=PAPER_CAT, subcategory=sub, labels={"figure": sub, "file": what})


PAPER_HD = list(PAPER_MODELS["likelihood"])
PAPER_BRIDGE_EVALS = (
    bridge_evaluations(config, RUNS, (PAPER["bridge"] or {}).get("benchmark", "sb-gauss-d2-s1"))
    if paper_on("bridge") and (PAPER["bridge"] or {}).get("learned", True)
    else []
)

PAPER_FILES = {
    "density": ["fig1_density_evolution.png", "fig1_density_evolution.csv"],
    "trajectories": ["fig2_trajectories.png"]
    + [f"fig2_trajectories_{t}.csv" for t in ("summary", "terminal", "paths", "density")],
    "checkerboard": ["fig3_checkerboard.png", "fig3_checkerboard_summary.csv", "fig3_checkerboard_samples.csv"],
    "likelihood": ["fig4_likelihood_control.png", "fig4_likelihood_control.csv", "fig4_likelihood_verdict.csv"],
    "bridge": ["fig5_bridge.png"] + [f"fig5_bridge_{t}.csv" for t in ("curves", "samples", "ellipses", "learned")],
}
PAPER_TARGETS = [f"{PAPER_DIR}/{f}" for name, files in PAPER_FILES.items() if paper_on(name) for f in files]


def paper_resources(rule):
    return dict(mem_mb=res(rule, "mem_mb"), runtime=res(rule, "runtime"), gpu=0)


# -- figure 1: density evolution (exact, seconds) ------------------------------------------------------
rule paper_fig1_density:
    output:
        png=paper_item(f"{PAPER_DIR}/fig1_density_evolution.png", "../report/paper/fig1_density.rst",
                       "1 density evolution", "figure"),
        csv=paper_item(f"{PAPER_DIR}/fig1_density_evolution.csv", "../report/paper/fig1_density.rst",
                       "1 density evolution", "data (CSV)"),
    params:
        settings=paper_settings("density"),
        code=PAPER_CODE["paper_fig1_density"],
    log:
        "results/logs/paper/fig1_density.log",
    benchmark:
        "results/benchmarks/paper/fig1_density.tsv"
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig1_density.py"


# -- figure 2: ODE and SDE trajectories over the exact density (seconds) -------------------------------
rule paper_fig2_trajectories:
    output:
        png=paper_item(f"{PAPER_DIR}/fig2_trajectories.png", "../report/paper/fig2_trajectories.rst",
                       "2 trajectories", "figure"),
        summary=paper_item(f"{PAPER_DIR}/fig2_trajectories_summary.csv", "../report/paper/fig2_trajectories.rst",
                           "2 trajectories", "terminal statistics (CSV)"),
        terminal=paper_item(f"{PAPER_DIR}/fig2_trajectories_terminal.csv", "../report/paper/fig2_trajectories.rst",
                            "2 trajectories", "terminal histograms (CSV)"),
        paths=paper_item(f"{PAPER_DIR}/fig2_trajectories_paths.csv", "../report/paper/fig2_trajectories.rst",
                         "2 trajectories", "plotted paths (CSV)"),
        density=paper_item(f"{PAPER_DIR}/fig2_trajectories_density.csv", "../report/paper/fig2_trajectories.rst",
                           "2 trajectories", "background density (CSV)"),
    params:
        settings=paper_settings("trajectories"),
        code=PAPER_CODE["paper_fig2_trajectories"],
    log:
        "results/logs/paper/fig2_trajectories.log",
    benchmark:
        "results/benchmarks/paper/fig2_trajectories.tsv"
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig2_trajectories.py"


# -- models the sweep does not train -------------------------------------------------------------------
rule paper_train:
    """A model of figure 3 or 4 that the sweep does not train (same code path as rule train)."""
    output:
        model="results/paper/models/{pbench}/{pmodel}/seed{pseed}.pt",
        spec="results/paper/models/{pbench}/{pmodel}/seed{pseed}.json",
    wildcard_constraints:
        pbench=r"[A-Za-z0-9][A-Za-z0-9_.+-]*",
        pmodel=r"[A-Za-z0-9][A-Za-z0-9_.+-]*",
        pseed=r"[0-9]+",
    params:
        spec=lambda wc: PAPER_MODELS["train"][f"{wc.pbench}/{wc.pmodel}/seed{wc.pseed}"].spec.to_dict(),
        code=CODE["train"],
    log:
        "results/logs/paper/train/{pbench}/{pmodel}/seed{pseed}.log",
    benchmark:
        "results/benchmarks/paper/train/{pbench}/{pmodel}/seed{pseed}.tsv"
    threads: res("train", "threads")
    resources:
        mem_mb=res("train", "mem_mb"),
        runtime=res("train", "runtime"),
        gpu=res("train", "gpu"),
    script:
        "../scripts/paper_train.py"


# -- figure 3: checkerboard generation ------------------------------------------------------------------
def paper_checkpoints(models, ext=".pt"):
    return [m.checkpoint[: -len(".pt")] + ext for m in models]


rule paper_fig3_checkerboard:
    input:
        models=paper_checkpoints(PAPER_MODELS["checkerboard"]),
        specs=paper_checkpoints(PAPER_MODELS["checkerboard"], ".json"),
    output:
        png=paper_item(f"{PAPER_DIR}/fig3_checkerboard.png", "../report/paper/fig3_checkerboard.rst",
                       "3 checkerboard", "figure"),
        summary=paper_item(f"{PAPER_DIR}/fig3_checkerboard_summary.csv", "../report/paper/fig3_checkerboard.rst",
                           "3 checkerboard", "support fractions (CSV)"),
        samples=paper_item(f"{PAPER_DIR}/fig3_checkerboard_samples.csv", "../report/paper/fig3_checkerboard.rst",
                           "3 checkerboard", "samples (CSV)"),
    params:
        settings=paper_settings("checkerboard"),
        reused=[m.reused for m in PAPER_MODELS["checkerboard"]],
        device=config.get("device", "auto"),
        code=PAPER_CODE["paper_fig3_checkerboard"],
    log:
        "results/logs/paper/fig3_checkerboard.log",
    benchmark:
        "results/benchmarks/paper/fig3_checkerboard.tsv"
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig3_checkerboard.py"


# -- figure 4: likelihood control, one job per dimension, then the figure ---------------------------------
def paper_kl_models(wc):
    m = PAPER_MODELS["likelihood"][wc.hd]
    return {"well": m["well"].checkpoint, "short": m["short"].checkpoint,
            "well_spec": paper_checkpoints([m["well"]], ".json")[0],
            "short_spec": paper_checkpoints([m["short"]], ".json")[0]}


rule paper_fig4_kl:
    """KL against eps for one dimension: ODE, both SDE estimators and the Girsanov bound, three training levels."""
    input:
        unpack(paper_kl_models),
    output:
        "results/paper/likelihood/{hd}.csv",
    wildcard_constraints:
        hd=r"hd-mixture-d[0-9]+",
    params:
        settings={k: v for k, v in paper_settings("likelihood").items() if k != "dims"},
        device=config.get("device", "auto"),
        code=PAPER_CODE["paper_fig4_kl"],
    log:
        "results/logs/paper/fig4_kl/{hd}.log",
    benchmark:
        "results/benchmarks/paper/fig4_kl/{hd}.tsv"
    threads: 1
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=0,
    script:
        "../scripts/paper_fig4_kl.py"


rule paper_fig4_likelihood:
    input:
        expand("results/paper/likelihood/{hd}.csv", hd=PAPER_HD),
    output:
        png=paper_item(f"{PAPER_DIR}/fig4_likelihood_control.png", "../report/paper/fig4_likelihood.rst",
                       "4 likelihood control", "figure"),
        csv=paper_item(f"{PAPER_DIR}/fig4_likelihood_control.csv", "../report/paper/fig4_likelihood.rst",
                       "4 likelihood control", "data (CSV)"),
        verdict=paper_item(f"{PAPER_DIR}/fig4_likelihood_verdict.csv", "../report/paper/fig4_likelihood.rst",
                           "4 likelihood control", "verdict per dimension and level (CSV)"),
    params:
        settings=paper_settings("likelihood"),
        code=PAPER_CODE["paper_fig4_likelihood"],
    log:
        "results/logs/paper/fig4_likelihood.log",
    benchmark:
        "results/benchmarks/paper/fig4_likelihood.tsv"
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig4_likelihood.py"


# -- figure 5: Schroedinger bridge marginals -------------------------------------------------------------
rule paper_fig5_bridge:
    input:
        learned=PAPER_BRIDGE_EVALS,
    output:
        png=paper_item(f"{PAPER_DIR}/fig5_bridge.png", "../report/paper/fig5_bridge.rst",
                       "5 Schroedinger bridge", "figure"),
        curves=paper_item(f"{PAPER_DIR}/fig5_bridge_curves.csv", "../report/paper/fig5_bridge.rst",
                          "5 Schroedinger bridge", "Bures-W2 over t (CSV)"),
        samples=paper_item(f"{PAPER_DIR}/fig5_bridge_samples.csv", "../report/paper/fig5_bridge.rst",
                           "5 Schroedinger bridge", "plotted samples (CSV)"),
        ellipses=paper_item(f"{PAPER_DIR}/fig5_bridge_ellipses.csv", "../report/paper/fig5_bridge.rst",
                            "5 Schroedinger bridge", "moments (CSV)"),
        learned=paper_item(f"{PAPER_DIR}/fig5_bridge_learned.csv", "../report/paper/fig5_bridge.rst",
                           "5 Schroedinger bridge", "trained models from the sweep (CSV)"),
    params:
        settings={k: v for k, v in paper_settings("bridge").items() if k != "learned"},
        code=PAPER_CODE["paper_fig5_bridge"],
    log:
        "results/logs/paper/fig5_bridge.log",
    benchmark:
        "results/benchmarks/paper/fig5_bridge.tsv"
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig5_bridge.py"
