"""Rule evaluate: sample-based metrics of one model (si.experiment.evaluate_run)."""
from si import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    i = snakemake.input
    E.evaluate_run(snakemake.params.spec, i.samples, i.truth, i.truth_json, i.model, snakemake.output[0])
