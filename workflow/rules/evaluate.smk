rule evaluate:
    """W2 with floor, support fraction, exact-bridge distances, field errors against the oracle."""
    input:
        samples="results/samples/" + RUN + ".npz",
        truth="results/truth/{benchmark}.npz",
        truth_json="results/truth/{benchmark}.json",
        model="results/models/" + RUN + ".pt",
        spec="results/models/" + RUN + ".json",
    output:
        "results/evaluations/" + RUN + ".csv",
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


rule likelihood:
    """ODE cross-entropy (eps = 0), SDE cross-entropy (eps > 0, both estimators), KL, NFE."""
    input:
        model="results/models/" + RUN + ".pt",
        spec="results/models/" + RUN + ".json",
        truth="results/truth/{benchmark}.npz",
        truth_json="results/truth/{benchmark}.json",
    output:
        "results/likelihood/" + RUN + ".csv",
    params:
        spec=spec("likelihood"),
        code=CODE["likelihood"],
    log:
        "results/logs/likelihood/" + RUN + ".log",
    benchmark:
        "results/benchmarks/likelihood/" + RUN + ".tsv"
    threads: res("likelihood", "threads")
    resources:
        mem_mb=res("likelihood", "mem_mb"),
        runtime=res("likelihood", "runtime"),
        gpu=res("likelihood", "gpu"),
    script:
        "../scripts/likelihood.py"
