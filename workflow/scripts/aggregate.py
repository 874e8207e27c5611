"""Rule aggregate: results/metrics.csv and results/training.csv (sibench.experiment.aggregate)."""
from sibench import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.aggregate(snakemake.input.rows, snakemake.input.specs, snakemake.output.metrics, snakemake.output.training)
