"""Rule paper_train: a model of figure 3 or 4 that the sweep does not train (sibench.stages.train.train_run)."""
from sibench.config.specs import TrainSpec
from sibench.io import logged
from sibench.stages.train import train_run

with logged(snakemake.log[0], snakemake.threads):
    train_run(TrainSpec.from_dict(snakemake.params.spec), snakemake.output.model, threads=snakemake.threads)
