"""Rule train: every seed of one benchmark x method (si.experiment.train_group)."""
from si import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.train_group(snakemake.params.specs, snakemake.output.models, threads=snakemake.threads)
