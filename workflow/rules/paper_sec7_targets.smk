# The paper's section 7 (and the section 5.3 rectification claim) as DAG targets (docs/paper.md): settings in the
# config's `paper_figures:` sections sec7_1_checkerboard, sec7_2_gmm128, sec7_3_digits, sec5_3_rectify (absent or
# `enabled: false`: not planned). Models: sibench.paper.sec7_models.plan_sec7; computations and plots:
# sibench.paper.sec7_* and sec5_3_rectify. Outputs under report/<name>/figures/paper/ (PAPER_DIR), CSVs beside.
# Included after paper_targets.smk (PAPER, PAPER_DIR, PAPER_CODE, paper_item, paper_resources).
from pathlib import PurePosixPath

from sibench.paper.sec7_models import plan_sec7, sec7_on

try:
    SEC7 = plan_sec7(config)
except ValueError as e:
    raise WorkflowError(f"invalid configuration: {e}") from None
SEC7_DIR = results("paper/sec7")


def model_name(model):
    """The model's name within its problem: the second part of its key (problem/name)."""
    return PurePosixPath(model["key"]).parts[1]


SEC7_NAMES = {
    "checkerboard": {model_name(m): label for label, m in SEC7["checkerboard"].items()},
    "digits": {model_name(m): label for label, m in SEC7["digits"].items()},
}
SEC7_GMM = {f"{model_name(m)}_seed{m['seed']}": m for m in SEC7["gmm128"].values()}


def sec7_section(name):
    return PAPER.get(name) or {}


def sec7_settings(name, drop=("enabled", "train")):
    """A section's settings for its evaluation and figure jobs (its models' training settings are in the models)."""
    return {k: v for k, v in sec7_section(name).items() if k not in drop}


def sec7_model(key):
    return SEC7["train"][key]


def sec7_source(wc):
    """The rectified model's source checkpoint (nothing for the others)."""
    m = SEC7["train"][wc.s7key]
    return [m["rectify"]["source_checkpoint"]] if "rectify" in m else []


def sec7_checkpoint(model, ext=".pt"):
    return model["checkpoint"][: -len(".pt")] + ext


def sec7_scale(name):
    """The scale statement of a caption: the config's name and its section's training budget."""
    section = sec7_section(name)
    budget = lambda train: ", ".join(f"{k} {v}" for k, v in train.items())  # noqa: E731
    train = budget(section.get("train", {}))
    own = "; ".join(f"{m.get('label', m['path'])}: {budget(m['train'])}"
                    for m in section.get("models", []) if m.get("train"))
    return f"config {config['name']}; training: {train or 'si defaults'}" + (f" (except {own})" if own else "")


SEC7_FILES = {
    "sec7_1_checkerboard": ["sec7_1_checkerboard.png", "sec7_1_checkerboard.csv", "sec7_1_checkerboard_findings.csv"],
    "sec7_2_gmm128": ["sec7_2_gmm128.png", "sec7_2_gmm128_density.png", "sec7_2_gmm128.csv",
                      "sec7_2_gmm128_optimum.csv", "sec7_2_gmm128_comparisons.csv"],
    "sec7_3_digits": ["sec7_3_digits.png", "sec7_3_digits.csv"],
    "sec5_3_rectify": ["sec5_3_rectify.png", "sec5_3_rectify.csv"],
}
SEC7_TARGETS = [f"{PAPER_DIR}/{f}" for name, files in SEC7_FILES.items() if sec7_on(config, name) for f in files]


def data_spec_of(name):
    """The image data spec of section 7.3 (sibench.paper.sec7_models.data_spec)."""
    from sibench.paper.sec7_models import data_spec
    return data_spec(sec7_section(name)) if sec7_on(config, name) else {}
