"""Rule aggregate: results/metrics.csv and results/training.csv (sibench.stages.aggregate.aggregate)."""
from sibench.io import logged
from sibench.stages.aggregate import aggregate

with logged(snakemake.log[0], snakemake.threads):
    aggregate(snakemake.input.rows, snakemake.input.specs, snakemake.output.metrics, snakemake.output.training)
