"""Rule power: the metrics' power on one benchmark (sibench.stages.power.run_power)."""
from sibench.io import logged
from sibench.power import PowerSpec
from sibench.stages.power import run_power

with logged(snakemake.log[0], snakemake.threads):
    run_power(PowerSpec.from_dict(snakemake.params.spec), snakemake.input.npz, snakemake.input.json,
              snakemake.output[0])
