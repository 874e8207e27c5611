rule truth:
    """Reference samples of rho1, likelihood test points, the W2 floor and the target entropy."""
    output:
        npz=results("truth/{benchmark}.npz"),
        json=results("truth/{benchmark}.json"),
    params:
        spec=spec("truth"),
        code=CODE["truth"],
    log:
        results("logs/truth/{benchmark}.log"),
    benchmark:
        results("benchmarks/truth/{benchmark}.tsv")
    threads: res("truth", "threads")
    resources:
        mem_mb=res("truth", "mem_mb"),
        runtime=res("truth", "runtime"),
        gpu=res("truth", "gpu"),
    script:
        "../scripts/truth.py"
