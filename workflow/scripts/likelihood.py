"""Rule likelihood: ODE / SDE cross-entropy and KL of one model (si.experiment.likelihood_run)."""
from si import experiment as E

with E.logged(snakemake.log[0], snakemake.threads):
    i = snakemake.input
    E.likelihood_run(snakemake.params.spec, i.model, i.truth, i.truth_json, snakemake.output[0])
