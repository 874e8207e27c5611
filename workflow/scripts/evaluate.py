"""Rule evaluate: sample every seed's model of one benchmark x method and compute all metrics
(sibench.experiment.evaluate_group)."""
from sibench import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    i, o = snakemake.input, snakemake.output
    E.evaluate_group(snakemake.params.specs, i.models, i.truth, i.truth_json, o.samples, o.rows)
