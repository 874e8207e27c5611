"""Rule train: one model (si.experiment.train_run)."""
from si import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.train_run(snakemake.params.spec, snakemake.output.model, threads=snakemake.threads)
