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
PAPER_DIR = reports("figures/paper")
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


def paper_checkpoints(models, ext=".pt"):
    return [m.checkpoint[: -len(".pt")] + ext for m in models]


def paper_kl_models(wc):
    m = PAPER_MODELS["likelihood"][wc.hd]
    return {"well": m["well"].checkpoint, "short": m["short"].checkpoint,
            "well_spec": paper_checkpoints([m["well"]], ".json")[0],
            "short_spec": paper_checkpoints([m["short"]], ".json")[0]}
