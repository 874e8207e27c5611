# The Schroedinger bridge by the max-min over interpolants (sibench.stages.sb_maxmin, docs/theory.md §10):
# one job per pair of the config's sb_maxmin.benchmarks, every seed in it (fit, save, sample, evaluate).
# Its rows join results/<name>/metrics.csv (rule aggregate), so the tables show "sb-maxmin" beside the
# trained methods; its curves make two report figures. Included before aggregate.smk and report_targets.smk.
from sibench.config import sb_maxmin_benchmarks, sb_maxmin_spec

SB_MAXMIN_BENCHMARKS = sb_maxmin_benchmarks(config)
SB_MAXMIN_SPECS = {(b, s): sb_maxmin_spec(config, b, s).to_dict() for b in SB_MAXMIN_BENCHMARKS for s in SEEDS}
SB_MAXMIN_RUN = "sb_maxmin/{benchmark}/seed{seed}"


def sb_maxmin_files(suffix, benchmark=None):
    """results/sb_maxmin/<pair>/seed<seed><suffix> of every seed (of one pair, or of every pair)."""
    pairs = [benchmark] if benchmark is not None else SB_MAXMIN_BENCHMARKS
    return [results(f"sb_maxmin/{b}/seed{s}{suffix}") for b in pairs for s in SEEDS]


SB_MAXMIN_ROWS = sb_maxmin_files(".rows.csv")
SB_MAXMIN_FIGURES = [reports(f"figures/sb_maxmin_marginals_{b}.png") for b in SB_MAXMIN_BENCHMARKS] + (
    [reports("figures/sb_maxmin_training.png")] if SB_MAXMIN_BENCHMARKS else [])


rule sb_maxmin:
    """Every seed of one pair: fit_maxmin at eps = sigma^2 / 2, the result (state dict + JSON spec), its
    max-min curves, the forward SDE's samples (the evaluate stage's layout), the metric rows (the evaluate
    stage's schema), the Bures-W2 curve of x^_t over t and samples of x^_t at bridge_times."""
    input:
        truth=results("truth/{benchmark}.npz"),
        truth_json=results("truth/{benchmark}.json"),
    output:
        model=per_seed(results(f"{SB_MAXMIN_RUN}.pt")),
        spec=per_seed(results(f"{SB_MAXMIN_RUN}.json")),
        losses=per_seed(results(f"{SB_MAXMIN_RUN}.losses.csv")),
        samples=per_seed(results(f"{SB_MAXMIN_RUN}.samples.npz")),
        rows=per_seed(results(f"{SB_MAXMIN_RUN}.rows.csv")),
        curve=per_seed(results(f"{SB_MAXMIN_RUN}.curve.csv")),
        xhat=per_seed(results(f"{SB_MAXMIN_RUN}.xhat.npz")),
    params:
        specs=lambda wildcards: [SB_MAXMIN_SPECS[(wildcards.benchmark, s)] for s in SEEDS],
        code=CODE["sb_maxmin"],
    log:
        results("logs/sb_maxmin/{benchmark}.log"),
    benchmark:
        results("benchmarks/sb_maxmin/{benchmark}.tsv")
    threads: res("sb_maxmin", "threads")
    resources:
        mem_mb=res("sb_maxmin", "mem_mb"),
        runtime=res("sb_maxmin", "runtime"),
        gpu=res("sb_maxmin", "gpu"),
    script:
        "../scripts/sb_maxmin.py"


rule figure_sb_maxmin_marginals:
    """Bures-W2 of x^_t and of the SDE's X_t against the exact rho_t over t (mean and range over seeds), the
    other methods' values at bridge_times beside them, and on a d = 2 pair samples of x^_t over rho_t."""
    input:
        curves=lambda wildcards: sb_maxmin_files(".curve.csv", wildcards.benchmark),
        xhat=lambda wildcards: sb_maxmin_files(".xhat.npz", wildcards.benchmark)[0],
        metrics=results("metrics.csv"),
    output:
        report(
            reports("figures/sb_maxmin_marginals_{benchmark}.png"),
            caption="../report/fig_sb_maxmin_marginals.rst",
            category="Figures",
            subcategory="sb-maxmin",
            labels={"figure": "sb-maxmin marginals", "benchmark": "{benchmark}"},
        ),
    params:
        code=CODE["figures"],
        times=config["evaluation"]["bridge_times"],
    log:
        results("logs/figures/sb_maxmin_marginals_{benchmark}.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"


rule figure_sb_maxmin_training:
    """The max-min curves: inner and outer objectives against the step, mean and range over seeds, per pair."""
    input:
        losses=sb_maxmin_files(".losses.csv"),
    output:
        report(
            reports("figures/sb_maxmin_training.png"),
            caption="../report/fig_sb_maxmin_training.rst",
            category="Figures",
            subcategory="sb-maxmin",
            labels={"figure": "sb-maxmin training", "benchmark": "all"},
        ),
    params:
        code=CODE["figures"],
    log:
        results("logs/figures/sb_maxmin_training.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"
