"""Rule train: every seed of one benchmark x method (sibench.stages.train.train_group)."""
from sibench.config.specs import TrainSpec
from sibench.io import logged
from sibench.stages.train import train_group

with logged(snakemake.log[0], snakemake.threads):
    specs = [TrainSpec.from_dict(d) for d in snakemake.params.specs]
    train_group(specs, snakemake.output.models, threads=snakemake.threads)
