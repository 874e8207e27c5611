"""Rule evaluate: sample one model and compute all its metrics (si.experiment.evaluate_run)."""
from si import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    i, o = snakemake.input, snakemake.output
    E.evaluate_run(snakemake.params.spec, i.model, i.truth, i.truth_json, o.samples, o.rows)
