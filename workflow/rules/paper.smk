# The paper's figures as rules; their targets, settings and helpers are in paper_targets.smk.


# -- figure 1: density evolution (exact, seconds) ------------------------------------------------------
rule paper_fig1_density:
    output:
        png=paper_item(f"{PAPER_DIR}/fig1_density_evolution.png", "../report/paper/fig1_density.rst",
                       "1 density evolution", "figure"),
        csv=paper_item(f"{PAPER_DIR}/fig1_density_evolution.csv", "../report/paper/fig1_density.rst",
                       "1 density evolution", "data (CSV)"),
    params:
        settings=paper_settings("density"),
        code=PAPER_CODE["paper_fig1_density"],
    log:
        results("logs/paper/fig1_density.log"),
    benchmark:
        results("benchmarks/paper/fig1_density.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig1_density.py"


# -- figure 2: ODE and SDE trajectories over the exact density (seconds) -------------------------------
rule paper_fig2_trajectories:
    output:
        png=paper_item(f"{PAPER_DIR}/fig2_trajectories.png", "../report/paper/fig2_trajectories.rst",
                       "2 trajectories", "figure"),
        summary=paper_item(f"{PAPER_DIR}/fig2_trajectories_summary.csv", "../report/paper/fig2_trajectories.rst",
                           "2 trajectories", "terminal statistics (CSV)"),
        terminal=paper_item(f"{PAPER_DIR}/fig2_trajectories_terminal.csv", "../report/paper/fig2_trajectories.rst",
                            "2 trajectories", "terminal histograms (CSV)"),
        paths=paper_item(f"{PAPER_DIR}/fig2_trajectories_paths.csv", "../report/paper/fig2_trajectories.rst",
                         "2 trajectories", "plotted paths (CSV)"),
        density=paper_item(f"{PAPER_DIR}/fig2_trajectories_density.csv", "../report/paper/fig2_trajectories.rst",
                           "2 trajectories", "background density (CSV)"),
    params:
        settings=paper_settings("trajectories"),
        code=PAPER_CODE["paper_fig2_trajectories"],
    log:
        results("logs/paper/fig2_trajectories.log"),
    benchmark:
        results("benchmarks/paper/fig2_trajectories.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig2_trajectories.py"


# -- models the sweep does not train -------------------------------------------------------------------
rule paper_train:
    """A model of figure 3 or 4 that the sweep does not train (same code path as rule train)."""
    output:
        model=results("paper/models/{pbench}/{pmodel}/seed{pseed}.pt"),
        spec=results("paper/models/{pbench}/{pmodel}/seed{pseed}.json"),
    wildcard_constraints:
        pbench=r"[A-Za-z0-9][A-Za-z0-9_.+-]*",
        pmodel=r"[A-Za-z0-9][A-Za-z0-9_.+-]*",
        pseed=r"[0-9]+",
    params:
        spec=lambda wc: PAPER_MODELS["train"][f"{wc.pbench}/{wc.pmodel}/seed{wc.pseed}"].spec.to_dict(),
        code=CODE["train"],
    log:
        results("logs/paper/train/{pbench}/{pmodel}/seed{pseed}.log"),
    benchmark:
        results("benchmarks/paper/train/{pbench}/{pmodel}/seed{pseed}.tsv")
    threads: res("train", "threads")
    resources:
        mem_mb=res("train", "mem_mb"),
        runtime=res("train", "runtime"),
        gpu=res("train", "gpu"),
    script:
        "../scripts/paper_train.py"


# -- figure 3: checkerboard generation ------------------------------------------------------------------
rule paper_fig3_checkerboard:
    input:
        models=paper_checkpoints(PAPER_MODELS["checkerboard"]),
        specs=paper_checkpoints(PAPER_MODELS["checkerboard"], ".json"),
    output:
        png=paper_item(f"{PAPER_DIR}/fig3_checkerboard.png", "../report/paper/fig3_checkerboard.rst",
                       "3 checkerboard", "figure"),
        summary=paper_item(f"{PAPER_DIR}/fig3_checkerboard_summary.csv", "../report/paper/fig3_checkerboard.rst",
                           "3 checkerboard", "support fractions (CSV)"),
        samples=paper_item(f"{PAPER_DIR}/fig3_checkerboard_samples.csv", "../report/paper/fig3_checkerboard.rst",
                           "3 checkerboard", "samples (CSV)"),
    params:
        settings=paper_settings("checkerboard"),
        reused=[m.reused for m in PAPER_MODELS["checkerboard"]],
        device=config.get("device", "auto"),
        code=PAPER_CODE["paper_fig3_checkerboard"],
    log:
        results("logs/paper/fig3_checkerboard.log"),
    benchmark:
        results("benchmarks/paper/fig3_checkerboard.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig3_checkerboard.py"


# -- figure 4: likelihood control, one job per dimension, then the figure ---------------------------------
rule paper_fig4_kl:
    """KL against eps for one dimension: ODE, both SDE estimators and the Girsanov bound, three training levels."""
    input:
        unpack(paper_kl_models),
    output:
        results("paper/likelihood/{hd}.csv"),
    wildcard_constraints:
        hd=r"hd-mixture-d[0-9]+",
    params:
        settings={k: v for k, v in paper_settings("likelihood").items() if k != "dims"},
        device=config.get("device", "auto"),
        code=PAPER_CODE["paper_fig4_kl"],
    log:
        results("logs/paper/fig4_kl/{hd}.log"),
    benchmark:
        results("benchmarks/paper/fig4_kl/{hd}.tsv")
    threads: 1
    resources:
        mem_mb=res("evaluate", "mem_mb"),
        runtime=res("evaluate", "runtime"),
        gpu=0,
    script:
        "../scripts/paper_fig4_kl.py"


rule paper_fig4_likelihood:
    input:
        expand(results("paper/likelihood/{hd}.csv"), hd=PAPER_HD),
    output:
        png=paper_item(f"{PAPER_DIR}/fig4_likelihood_control.png", "../report/paper/fig4_likelihood.rst",
                       "4 likelihood control", "figure"),
        csv=paper_item(f"{PAPER_DIR}/fig4_likelihood_control.csv", "../report/paper/fig4_likelihood.rst",
                       "4 likelihood control", "data (CSV)"),
        verdict=paper_item(f"{PAPER_DIR}/fig4_likelihood_verdict.csv", "../report/paper/fig4_likelihood.rst",
                           "4 likelihood control", "verdict per dimension and level (CSV)"),
    params:
        settings=paper_settings("likelihood"),
        code=PAPER_CODE["paper_fig4_likelihood"],
    log:
        results("logs/paper/fig4_likelihood.log"),
    benchmark:
        results("benchmarks/paper/fig4_likelihood.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig4_likelihood.py"


# -- figure 5: Schroedinger bridge marginals -------------------------------------------------------------
rule paper_fig5_bridge:
    input:
        learned=PAPER_BRIDGE_EVALS,
    output:
        png=paper_item(f"{PAPER_DIR}/fig5_bridge.png", "../report/paper/fig5_bridge.rst",
                       "5 Schroedinger bridge", "figure"),
        curves=paper_item(f"{PAPER_DIR}/fig5_bridge_curves.csv", "../report/paper/fig5_bridge.rst",
                          "5 Schroedinger bridge", "Bures-W2 over t (CSV)"),
        samples=paper_item(f"{PAPER_DIR}/fig5_bridge_samples.csv", "../report/paper/fig5_bridge.rst",
                           "5 Schroedinger bridge", "plotted samples (CSV)"),
        ellipses=paper_item(f"{PAPER_DIR}/fig5_bridge_ellipses.csv", "../report/paper/fig5_bridge.rst",
                            "5 Schroedinger bridge", "moments (CSV)"),
        learned=paper_item(f"{PAPER_DIR}/fig5_bridge_learned.csv", "../report/paper/fig5_bridge.rst",
                           "5 Schroedinger bridge", "trained models from the sweep (CSV)"),
    params:
        settings={k: v for k, v in paper_settings("bridge").items() if k != "learned"},
        code=PAPER_CODE["paper_fig5_bridge"],
    log:
        results("logs/paper/fig5_bridge.log"),
    benchmark:
        results("benchmarks/paper/fig5_bridge.tsv")
    threads: 1
    resources:
        **paper_resources("figures"),
    script:
        "../scripts/paper_fig5_bridge.py"
