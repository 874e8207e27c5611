# The paper's section 7 and its section 5.3 rectification claim as rules; targets and helpers in
# paper_sec7_targets.smk, settings under the config's paper_figures (docs/paper.md).


# -- models ---------------------------------------------------------------------------------------------
rule sec7_train:
    """One model of a section 7 target (the rectified one after its source: its pairs come from that ODE)."""
    input:
        source=sec7_source,
    output:
        model=f"{SEC7_DIR}/models/{{s7key}}.pt",
        spec=f"{SEC7_DIR}/models/{{s7key}}.json",
    wildcard_constraints:
        s7key=r"[a-z0-9]+/[A-Za-z0-9_.+-]+/seed[0-9]+",
    params:
        model=lambda wc: sec7_model(wc.s7key),
        device=config.get("device", "auto"),
        code=PAPER_CODE["sec7_train"],
    log:
        results("logs/paper/sec7/train/{s7key}.log"),
    benchmark:
        results("benchmarks/paper/sec7/train/{s7key}.tsv")
    threads: res("train", "threads")
    resources:
        mem_mb=res("train", "mem_mb"),
        runtime=res("train", "runtime"),
        gpu=res("train", "gpu"),
    script:
        "../scripts/paper_sec7_train.py"


# -- 7.1: the checkerboard with several gamma (figures 9, 10) ---------------------------------------------
rule sec7_1_evaluate:
    input:
        model=lambda wc: SEC7["checkerboard"][SEC7_NAMES["checkerboard"][wc.s7name]]["checkpoint"],
    output:
        csv=f"{SEC7_DIR}/checkerboard/{{s7name}}.csv",
        npz=f"{SEC7_DIR}/checkerboard/{{s7name}}.npz",
    params:
        label=lambda wc: SEC7_NAMES["checkerboard"][wc.s7name],
        settings=sec7_settings("sec7_1_checkerboard", ("enabled", "train", "gammas", "objective")),
        device=config.get("device", "auto"),
        code=PAPER_CODE["sec7_1_evaluate"],
    log:
        results("logs/paper/sec7/checkerboard/{s7name}.log"),
    benchmark:
        results("benchmarks/paper/sec7/checkerboard/{s7name}.tsv")
    threads: 1
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=0,
    script:
        "../scripts/paper_sec7_1_evaluate.py"


rule sec7_1_figure:
    input:
        csv=expand(f"{SEC7_DIR}/checkerboard/{{s7name}}.csv", s7name=list(SEC7_NAMES["checkerboard"])),
        npz=expand(f"{SEC7_DIR}/checkerboard/{{s7name}}.npz", s7name=list(SEC7_NAMES["checkerboard"])),
    output:
        png=paper_item(f"{PAPER_DIR}/sec7_1_checkerboard.png", "../report/paper/sec7_1_checkerboard.rst",
                       "7.1 checkerboard, several gamma", "figure"),
        csv=paper_item(f"{PAPER_DIR}/sec7_1_checkerboard.csv", "../report/paper/sec7_1_checkerboard.rst",
                       "7.1 checkerboard, several gamma", "data (CSV)"),
        findings=paper_item(f"{PAPER_DIR}/sec7_1_checkerboard_findings.csv", "../report/paper/sec7_1_checkerboard.rst",
                            "7.1 checkerboard, several gamma", "findings (CSV)"),
    params:
        labels=lambda wc: list(SEC7_NAMES["checkerboard"].values()),
        settings=lambda wc: sec7_settings("sec7_1_checkerboard", ("enabled",)),
        scale=lambda wc: sec7_scale("sec7_1_checkerboard"),
        code=PAPER_CODE["sec7_1_figure"],
    log:
        results("logs/paper/sec7/sec7_1_figure.log"),
    benchmark:
        results("benchmarks/paper/sec7/sec7_1_figure.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_sec7_1_figure.py"


# -- 7.2: the 128-D mixture, four objectives (figures 12-14) ----------------------------------------------
rule sec7_2_evaluate:
    input:
        model=lambda wc: SEC7_GMM[wc.s7run]["checkpoint"],
    output:
        csv=f"{SEC7_DIR}/gmm128/{{s7run}}.csv",
        npz=f"{SEC7_DIR}/gmm128/{{s7run}}.npz",
    params:
        settings=lambda wc: {**sec7_settings("sec7_2_gmm128", ("enabled", "train", "objectives", "seeds")),
                             "dim": SEC7_GMM[wc.s7run]["dim"]},
        device=config.get("device", "auto"),
        code=PAPER_CODE["sec7_2_evaluate"],
    log:
        results("logs/paper/sec7/gmm128/{s7run}.log"),
    benchmark:
        results("benchmarks/paper/sec7/gmm128/{s7run}.tsv")
    threads: 1
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=0,
    script:
        "../scripts/paper_sec7_2_evaluate.py"


rule sec7_2_figure:
    input:
        csv=expand(f"{SEC7_DIR}/gmm128/{{s7run}}.csv", s7run=list(SEC7_GMM)),
        npz=expand(f"{SEC7_DIR}/gmm128/{{s7run}}.npz", s7run=list(SEC7_GMM)),
    output:
        png=paper_item(f"{PAPER_DIR}/sec7_2_gmm128.png", "../report/paper/sec7_2_gmm128.rst",
                       "7.2 mixture in d = 128", "figure 14"),
        density=paper_item(f"{PAPER_DIR}/sec7_2_gmm128_density.png", "../report/paper/sec7_2_gmm128.rst",
                           "7.2 mixture in d = 128", "figures 12-13"),
        csv=paper_item(f"{PAPER_DIR}/sec7_2_gmm128.csv", "../report/paper/sec7_2_gmm128.rst",
                       "7.2 mixture in d = 128", "data (CSV)"),
        optimum=paper_item(f"{PAPER_DIR}/sec7_2_gmm128_optimum.csv", "../report/paper/sec7_2_gmm128.rst",
                           "7.2 mixture in d = 128", "optimal eps (CSV)"),
        comparisons=paper_item(f"{PAPER_DIR}/sec7_2_gmm128_comparisons.csv", "../report/paper/sec7_2_gmm128.rst",
                               "7.2 mixture in d = 128", "objective comparisons (CSV)"),
    params:
        settings=lambda wc: sec7_settings("sec7_2_gmm128", ("enabled",)),
        scale=lambda wc: sec7_scale("sec7_2_gmm128"),
        code=PAPER_CODE["sec7_2_figure"],
    log:
        results("logs/paper/sec7/sec7_2_figure.log"),
    benchmark:
        results("benchmarks/paper/sec7/sec7_2_figure.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_sec7_2_figure.py"


# -- 7.3: images (the digits, or a local folder) (figures 15-17) ------------------------------------------
rule sec7_3_classifier:
    output:
        model=f"{SEC7_DIR}/digits/classifier.pt",
        info=f"{SEC7_DIR}/digits/classifier.json",
    params:
        data=data_spec_of("sec7_3_digits"),
        settings=sec7_section("sec7_3_digits").get("classifier", {}),
        code=PAPER_CODE["sec7_3_classifier"],
    log:
        results("logs/paper/sec7/digits/classifier.log"),
    benchmark:
        results("benchmarks/paper/sec7/digits/classifier.tsv")
    threads: 1
    resources:
        mem_mb=res("train", "mem_mb"),
        runtime=res("train", "runtime"),
        gpu=0,
    script:
        "../scripts/paper_sec7_3_classifier.py"


rule sec7_3_evaluate:
    input:
        model=lambda wc: SEC7["digits"][SEC7_NAMES["digits"][wc.s7name]]["checkpoint"],
        classifier=f"{SEC7_DIR}/digits/classifier.pt",
    output:
        csv=f"{SEC7_DIR}/digits/{{s7name}}.csv",
        npz=f"{SEC7_DIR}/digits/{{s7name}}.npz",
    params:
        label=lambda wc: SEC7_NAMES["digits"][wc.s7name],
        settings=lambda wc: {**sec7_settings("sec7_3_digits", ("enabled", "train", "models", "classifier", "images",
                                                               "split")), "data": data_spec_of("sec7_3_digits")},
        device=config.get("device", "auto"),
        code=PAPER_CODE["sec7_3_evaluate"],
    log:
        results("logs/paper/sec7/digits/{s7name}.log"),
    benchmark:
        results("benchmarks/paper/sec7/digits/{s7name}.tsv")
    threads: 1
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=0,
    script:
        "../scripts/paper_sec7_3_evaluate.py"


rule sec7_3_figure:
    input:
        csv=expand(f"{SEC7_DIR}/digits/{{s7name}}.csv", s7name=list(SEC7_NAMES["digits"])),
        npz=expand(f"{SEC7_DIR}/digits/{{s7name}}.npz", s7name=list(SEC7_NAMES["digits"])),
        classifier=f"{SEC7_DIR}/digits/classifier.json",
    output:
        png=paper_item(f"{PAPER_DIR}/sec7_3_digits.png", "../report/paper/sec7_3_digits.rst",
                       "7.3 images", "figure"),
        csv=paper_item(f"{PAPER_DIR}/sec7_3_digits.csv", "../report/paper/sec7_3_digits.rst",
                       "7.3 images", "data (CSV)"),
    params:
        labels=lambda wc: list(SEC7_NAMES["digits"].values()),
        settings=lambda wc: sec7_settings("sec7_3_digits", ("enabled",)),
        scale=lambda wc: sec7_scale("sec7_3_digits"),
        code=PAPER_CODE["sec7_3_figure"],
    log:
        results("logs/paper/sec7/sec7_3_figure.log"),
    benchmark:
        results("benchmarks/paper/sec7/sec7_3_figure.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_sec7_3_figure.py"


# -- 5.3: rectification of a learned flow map (the suite's own figure) -------------------------------------
rule sec5_3_rectify:
    input:
        source=lambda wc: SEC7["rectify"]["source"]["checkpoint"],
        rectified=lambda wc: SEC7["rectify"]["rectified"]["checkpoint"],
    output:
        png=paper_item(f"{PAPER_DIR}/sec5_3_rectify.png", "../report/paper/sec5_3_rectify.rst",
                       "5.3 rectification", "figure"),
        csv=paper_item(f"{PAPER_DIR}/sec5_3_rectify.csv", "../report/paper/sec5_3_rectify.rst",
                       "5.3 rectification", "data (CSV)"),
    params:
        settings=sec7_settings("sec5_3_rectify", ("enabled", "train", "source", "pool", "flow")),
        device=config.get("device", "auto"),
        code=PAPER_CODE["sec5_3_rectify"],
    log:
        results("logs/paper/sec7/sec5_3_rectify.log"),
    benchmark:
        results("benchmarks/paper/sec7/sec5_3_rectify.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_sec5_3_rectify.py"
