"""Rule truth: reference samples, floor and entropy of one benchmark (sibench.experiment.make_truth)."""
from sibench import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.make_truth(snakemake.params.spec, snakemake.output.npz, snakemake.output.json)
