"""Rule sec7_train: one model of a section 7 target (sibench.paper.sec7_models.train_sec7_model)."""
from sibench.io import logged
from sibench.paper.sec7_models import train_sec7_model

with logged(snakemake.log[0], snakemake.threads):
    train_sec7_model(snakemake.params.model, snakemake.output.model, threads=snakemake.threads,
                     device=snakemake.params.device)
