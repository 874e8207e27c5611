"""Rule sec7_2_evaluate: one model of section 7.2 (sibench.paper.sec7_2_gmm128.write_gmm_evaluation)."""
from sibench.devices import device_of
from sibench.io import logged
from sibench.paper.sec7_2_gmm128 import write_gmm_evaluation

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_gmm_evaluation(snakemake.input.model, snakemake.params.settings, device_of(snakemake.params.device),
                         o.csv, o.npz)
