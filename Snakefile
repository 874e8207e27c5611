"""si-bench: the stochastic-interpolant benchmark as a Snakemake workflow.

    snakemake                                   # config/default.yaml, all cores (profiles/default)
    snakemake --configfile config/quick.yaml    # the tiny sweep CI runs
    snakemake --report report/default/report.html   # browsable report of every figure and table

The DAG: truth (per benchmark) -> train (benchmark x method x seed; independent of eps)
-> evaluate (one job per model: sample at every eps x sampler x steps, then every metric)
(and sb_maxmin: the max-min Schroedinger bridge fitted and evaluated per bridge pair of the config's sb_maxmin)
-> results/<name>/metrics.csv -> report/<name>/tables, figures -> the HTML report, where <name> is the
config's name (each config writes under its own).
Every computation lives in si and sibench (sibench.stages run the stages); workflow/scripts only pass files on.
"""
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

min_version("8.0")

if not config:
    raise WorkflowError(
        "no configuration given: run from the repository root (profiles/default passes "
        "--configfile config/default.yaml) or pass --configfile config/<name>.yaml"
    )


# First of all, common.smk reads and checks the config, before any job starts: every config file again
# with duplicate keys refused, the JSON schema (draft 2020-12: unknown keys, unknown names, negative eps,
# missing fields, upper bounds), whole numbers as ints, then sibench.config.check_config (finite
# numbers, the device, cross-references, objective against gamma).
include: "workflow/rules/common.smk"


report: "workflow/report/workflow.rst"


include: "workflow/rules/sb_maxmin.smk"
include: "workflow/rules/power.smk"
include: "workflow/rules/report_targets.smk"
include: "workflow/rules/paper_targets.smk"
include: "workflow/rules/paper_sec7_targets.smk"
include: "workflow/rules/truth.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/paper_sec7.smk"


# On a cluster (profiles/slurm) these run on the submitting host: they only read tables and draw.
localrules:
    aggregate,
    job_benchmarks,
    tables,
    summary_table,
    figure_samples,
    figure_bridge,
    figure_metric_vs_eps,
    figure_w2_vs_nfe,
    figure_training_curves,
    figure_compute,
    figure_sb_maxmin_marginals,
    figure_sb_maxmin_training,
    metric_power_table,
    paper_fig1_density,
    paper_fig2_trajectories,
    paper_fig4_likelihood,
    paper_fig5_bridge,
    sec7_1_figure,
    sec7_2_figure,
    sec7_3_figure,


rule all:
    default_target: True
    input:
        results("metrics.csv"),
        results("training.csv"),
        results("benchmarks.csv"),
        reports("summary.md"),
        TABLES,
        POWER_TARGETS,
        FIGURES,
        SB_MAXMIN_FIGURES,
        PAPER_TARGETS,
        SEC7_TARGETS,
