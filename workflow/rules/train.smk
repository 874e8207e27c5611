rule train:
    """One model per benchmark x method x seed, reused for every eps and sampler."""
    output:
        model="results/models/" + RUN + ".pt",
        spec="results/models/" + RUN + ".json",
    params:
        spec=spec("train"),
        code=CODE["train"],
    log:
        "results/logs/train/" + RUN + ".log",
    benchmark:
        "results/benchmarks/train/" + RUN + ".tsv"
    threads: res("train", "threads")
    resources:
        mem_mb=res("train", "mem_mb"),
        runtime=res("train", "runtime"),
        gpu=res("train", "gpu"),
    script:
        "../scripts/train.py"
