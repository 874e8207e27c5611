rule train:
    """All seeds of one benchmark x method (one checkpoint per seed), reused for every eps and sampler."""
    output:
        models=per_seed(results(f"models/{RUN}.pt")),
        specs=per_seed(results(f"models/{RUN}.json")),
    params:
        specs=seed_specs("train"),
        code=CODE["train"],
    log:
        results(f"logs/train/{GROUP}.log"),
    benchmark:
        results(f"benchmarks/train/{GROUP}.tsv")
    threads: res("train", "threads")
    resources:
        mem_mb=res("train", "mem_mb"),
        runtime=res("train", "runtime"),
        gpu=res("train", "gpu"),
    script:
        "../scripts/train.py"
