# The power of the metrics (docs/theory.md §7.8; sibench.power, sibench.stages.power): per benchmark with
# an exact target density, the truth and injected defects scored by every metric at the config's n and
# seeds, then one table of which metric detects which defect. Off with `power: {enabled: false}`.
from sibench.power import has_exact_density, power_enabled, power_settings, power_spec
from sibench.versioning import modules_version

POWER_BENCHMARKS = (
    [b for b in BENCHMARKS if has_exact_density(get_benchmark(b).rho1)] if power_enabled(config) else []
)
POWER_SPECS = {b: power_spec(config, b).to_dict() for b in POWER_BENCHMARKS}
POWER_CODE = modules_version("sibench.stages.power")


rule power:
    """The truth and the injected defects of one benchmark's target, scored by every metric, every seed."""
    input:
        npz=results("truth/{benchmark}.npz"),
        json=results("truth/{benchmark}.json"),
    output:
        results("power/{benchmark}.csv"),
    params:
        spec=lambda wildcards: POWER_SPECS[wildcards.benchmark],
        code=POWER_CODE,
    log:
        results("logs/power/{benchmark}.log"),
    benchmark:
        results("benchmarks/power/{benchmark}.tsv")
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
        gpu=0,
    script:
        "../scripts/power.py"


rule metric_power_table:
    """Which metric detects which defect, with the effect sizes and the covariance ordering."""
    input:
        expand(results("power/{benchmark}.csv"), benchmark=POWER_BENCHMARKS),
    output:
        md=report(
            reports("tables/metric_power.md"),
            caption="../report/metric_power.rst",
            category="Tables",
            subcategory="metric power",
            labels={"benchmark": "all", "format": "Markdown"},
        ),
        html=report(
            reports("tables/metric_power.html"),
            caption="../report/metric_power.rst",
            category="Tables",
            subcategory="metric power",
            labels={"benchmark": "all", "format": "HTML (view)"},
        ),
    params:
        code=POWER_CODE,
        alpha=power_settings(config)["alpha"],
    log:
        results("logs/power/metric_power_table.log"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=0,
    script:
        "../scripts/power_table.py"
