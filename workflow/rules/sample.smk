rule sample:
    """Every (sampler, eps, steps) of one model in one job: ODE at eps = 0, SDE at every eps."""
    input:
        model="results/models/" + RUN + ".pt",
        spec="results/models/" + RUN + ".json",
    output:
        "results/samples/" + RUN + ".npz",
    params:
        spec=spec("sample"),
        code=CODE["sample"],
    log:
        "results/logs/sample/" + RUN + ".log",
    benchmark:
        "results/benchmarks/sample/" + RUN + ".tsv"
    threads: res("sample", "threads")
    resources:
        mem_mb=res("sample", "mem_mb"),
        runtime=res("sample", "runtime"),
        gpu=res("sample", "gpu"),
    script:
        "../scripts/sample.py"
