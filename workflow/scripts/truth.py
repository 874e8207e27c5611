"""Rule truth: reference samples, floor and entropy of one benchmark (sibench.stages.truth.make_truth)."""
from sibench.config.specs import TruthSpec
from sibench.io import logged
from sibench.stages.truth import make_truth

with logged(snakemake.log[0], snakemake.threads):
    make_truth(TruthSpec.from_dict(snakemake.params.spec), snakemake.output.npz, snakemake.output.json)
