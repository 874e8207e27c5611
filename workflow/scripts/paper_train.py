"""Rule paper_train: a model of figure 3 or 4 that the sweep does not train (sibench.experiment.train_run)."""
from sibench import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.train_run(snakemake.params.spec, snakemake.output.model, threads=snakemake.threads)
