rule evaluate:
    """Every evaluation of one benchmark x method, every seed, in one job (one process: torch and POT
    are imported once): sample with the ODE (eps = 0) and the SDE at every eps and step count, then
    W2 with its floor, support fraction, distances to the exact bridge, field errors against the
    oracle, and the ODE / SDE cross-entropies and KL with their NFE."""
    input:
        models=per_seed(results(f"models/{RUN}.pt")),
        specs=per_seed(results(f"models/{RUN}.json")),
        truth=results("truth/{benchmark}.npz"),
        truth_json=results("truth/{benchmark}.json"),
    output:
        samples=per_seed(results(f"samples/{RUN}.npz")),
        rows=per_seed(results(f"evaluations/{RUN}.csv")),
    params:
        specs=seed_specs("evaluate"),
        code=CODE["evaluate"],
    log:
        results(f"logs/evaluate/{GROUP}.log"),
    benchmark:
        results(f"benchmarks/evaluate/{GROUP}.tsv")
    threads: res("evaluate", "threads")
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=res("evaluate", "gpu"),
    script:
        "../scripts/evaluate.py"
