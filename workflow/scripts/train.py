"""Rule train: every seed of one benchmark x method (sibench.experiment.train_group)."""
from sibench import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.train_group(snakemake.params.specs, snakemake.output.models, threads=snakemake.threads)
