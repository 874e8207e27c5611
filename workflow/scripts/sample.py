"""Rule sample: every (sampler, eps, steps) of one model (si.experiment.sample_run)."""
from si import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    E.sample_run(snakemake.params.spec, snakemake.input.model, snakemake.output[0])
