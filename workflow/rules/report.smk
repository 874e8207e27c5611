# Tables and figures as rules; their targets and helpers are in report_targets.smk.


rule tables:
    """Per benchmark: methods x eps, mean [95% t-interval] over seeds, led by the benchmark's discriminating
    metric; a best marked only where a paired test over seeds separates it (sibench.tables)."""
    input:
        metrics=results("metrics.csv"),
        truth_json=results("truth/{benchmark}.json"),
    output:
        md=report(
            reports("tables/{benchmark}.md"),
            caption="../report/table.rst",
            category="Tables",
            subcategory="{benchmark}",
            labels={"benchmark": "{benchmark}", "format": "Markdown"},
        ),
        tex=report(
            reports("tables/{benchmark}.tex"),
            caption="../report/table.rst",
            category="Tables",
            subcategory="{benchmark}",
            labels={"benchmark": "{benchmark}", "format": "LaTeX"},
        ),
        html=report(
            reports("tables/{benchmark}.html"),
            caption="../report/table.rst",
            category="Tables",
            subcategory="{benchmark}",
            labels={"benchmark": "{benchmark}", "format": "HTML (view)"},
        ),
    params:
        code=CODE["tables"],
    log:
        results("logs/tables/{benchmark}.log"),
    threads: res("tables", "threads")
    resources:
        mem_mb=res("tables", "mem_mb"),
        runtime=res("tables", "runtime"),
        gpu=0,
    script:
        "../scripts/tables.py"


rule summary_table:
    """One Markdown page: every benchmark's lead table and its failures."""
    input:
        metrics=results("metrics.csv"),
        truth_json=expand(results("truth/{benchmark}.json"), benchmark=BENCHMARKS),
    output:
        report(
            reports("summary.md"),
            caption="../report/summary.rst",
            category="Tables",
            subcategory="summary",
            labels={"benchmark": "all", "format": "Markdown"},
        ),
    params:
        code=CODE["tables"],
        name=config["name"],
    log:
        results("logs/tables/summary.log"),
    threads: 1
    resources:
        mem_mb=res("tables", "mem_mb"),
        runtime=res("tables", "runtime"),
        gpu=0,
    script:
        "../scripts/summary.py"


rule figure_samples:
    input:
        samples=first_seed_samples,
        truth=results("truth/{benchmark}.npz"),
    output:
        report(
            reports("figures/samples_{benchmark}.png"),
            caption="../report/fig_samples.rst",
            category="Figures",
            subcategory="sample grids",
            labels={"figure": "samples", "benchmark": "{benchmark}"},
        ),
    params:
        code=CODE["figures"],
    log:
        results("logs/figures/samples_{benchmark}.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"


rule figure_bridge:
    input:
        samples=first_seed_samples,
        truth_json=results("truth/{benchmark}.json"),
    output:
        report(
            reports("figures/bridge_{benchmark}.png"),
            caption="../report/fig_bridge.rst",
            category="Figures",
            subcategory="bridge marginals",
            labels={"figure": "bridge marginals", "benchmark": "{benchmark}"},
        ),
    params:
        code=CODE["figures"],
        times=config["evaluation"]["bridge_times"],
    log:
        results("logs/figures/bridge_{benchmark}.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"


rule figure_metric_vs_eps:
    input:
        results("metrics.csv"),
    output:
        report(
            reports("figures/metric_vs_eps.png"),
            caption="../report/fig_metric_vs_eps.rst",
            category="Figures",
            subcategory="summaries",
            labels={"figure": "metric vs eps", "benchmark": "all"},
        ),
    params:
        code=CODE["figures"],
    log:
        results("logs/figures/metric_vs_eps.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"


rule figure_w2_vs_nfe:
    input:
        results("metrics.csv"),
    output:
        report(
            reports("figures/w2_vs_nfe.png"),
            caption="../report/fig_w2_vs_nfe.rst",
            category="Figures",
            subcategory="summaries",
            labels={"figure": "W2 vs NFE", "benchmark": "all"},
        ),
    params:
        code=CODE["figures"],
    log:
        results("logs/figures/w2_vs_nfe.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"


rule figure_training_curves:
    input:
        results("training.csv"),
    output:
        report(
            reports("figures/training_curves.png"),
            caption="../report/fig_training.rst",
            category="Figures",
            subcategory="summaries",
            labels={"figure": "training curves", "benchmark": "all"},
        ),
    params:
        code=CODE["figures"],
    log:
        results("logs/figures/training_curves.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"


rule figure_compute:
    input:
        results("benchmarks.csv"),
    output:
        report(
            reports("figures/compute.png"),
            caption="../report/fig_compute.rst",
            category="Figures",
            subcategory="summaries",
            labels={"figure": "compute per job", "benchmark": "all"},
        ),
    params:
        code=CODE["figures"],
    log:
        results("logs/figures/compute.log"),
    threads: 1
    resources:
        mem_mb=res("figures", "mem_mb"),
        runtime=res("figures", "runtime"),
        gpu=0,
    script:
        "../scripts/figure.py"
