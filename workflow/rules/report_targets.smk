# Tables (Markdown + LaTeX) and seaborn figures, each declared with report() and a caption, so
# `snakemake --report report/report.html` gathers them into one browsable page.
SAMPLE_FIGURES = [reports(f"figures/samples_{b}.png") for b in BENCHMARKS]
BRIDGE_FIGURES = [reports(f"figures/bridge_{b}.png") for b in BRIDGE_BENCHMARKS]
SUMMARY_FIGURES = [
    reports("figures/metric_vs_eps.png"),
    reports("figures/w2_vs_nfe.png"),
    reports("figures/training_curves.png"),
    reports("figures/compute.png"),
]
FIGURES = SAMPLE_FIGURES + BRIDGE_FIGURES + SUMMARY_FIGURES
TABLES = [reports(f"tables/{b}.{ext}") for b in BENCHMARKS for ext in ("md", "tex", "html")]
# the metric-power table (workflow/rules/power.smk; POWER_BENCHMARKS is empty when power is disabled)
POWER_TARGETS = [reports(f"tables/metric_power.{ext}") for ext in ("md", "html")] if POWER_BENCHMARKS else []


def first_seed_samples(wildcards):
    """Samples of every method on the benchmark, at the first planned seed (for the sample grids)."""
    runs = runs_of(wildcards.benchmark)
    seed = min(r.seed for r in runs)
    return run_files(results(f"samples/{RUN}.npz"), runs=[r for r in runs if r.seed == seed])
