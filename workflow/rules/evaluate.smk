rule evaluate:
    """Every evaluation of one model in one job (one process: the model is loaded once):
    sample with the ODE (eps = 0) and the SDE at every eps and step count, then W2 with its floor,
    support fraction, distances to the exact bridge, field errors against the oracle, and the
    ODE / SDE cross-entropies and KL with their NFE."""
    input:
        model="results/models/" + RUN + ".pt",
        spec="results/models/" + RUN + ".json",
        truth="results/truth/{benchmark}.npz",
        truth_json="results/truth/{benchmark}.json",
    output:
        samples="results/samples/" + RUN + ".npz",
        rows="results/evaluations/" + RUN + ".csv",
    params:
        spec=spec("evaluate"),
        code=CODE["evaluate"],
    log:
        "results/logs/evaluate/" + RUN + ".log",
    benchmark:
        "results/benchmarks/evaluate/" + RUN + ".tsv"
    threads: res("evaluate", "threads")
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=res("evaluate", "gpu"),
    script:
        "../scripts/evaluate.py"
