rule aggregate:
    """The tidy table: one row per evaluation, a column for every factor (the sb_maxmin rows included)."""
    input:
        rows=ROW_FILES + SB_MAXMIN_ROWS,
        specs=MODEL_SPECS,
    output:
        metrics=report(
            results("metrics.csv"),
            caption="../report/metrics.rst",
            category="Results",
            labels={"table": "metrics.csv (all evaluations)"},
        ),
        training=results("training.csv"),
    params:
        code=CODE["aggregate"],
    log:
        results("logs/aggregate.log"),
    threads: res("aggregate", "threads")
    resources:
        mem_mb=res("aggregate", "mem_mb"),
        runtime=res("aggregate", "runtime"),
        gpu=res("aggregate", "gpu"),
    script:
        "../scripts/aggregate.py"


rule job_benchmarks:
    """Per-job wall time and memory (Snakemake's benchmark: files) as one table."""
    input:
        JOB_BENCHMARKS + [results(f"benchmarks/sb_maxmin/{b}.tsv") for b in SB_MAXMIN_BENCHMARKS],
    output:
        results("benchmarks.csv"),
    log:
        results("logs/job_benchmarks.log"),
    threads: 1
    resources:
        mem_mb=res("aggregate", "mem_mb"),
        runtime=res("aggregate", "runtime"),
        gpu=0,
    script:
        "../scripts/job_benchmarks.py"
