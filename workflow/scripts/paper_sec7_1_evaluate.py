"""Rule sec7_1_evaluate: one checkerboard model of section 7.1
(sibench.paper.sec7_1_checkerboard.write_checkerboard_evaluation)."""
from sibench.devices import device_of
from sibench.io import logged
from sibench.paper.sec7_1_checkerboard import write_checkerboard_evaluation

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_checkerboard_evaluation(snakemake.input.model, snakemake.params.label, snakemake.params.settings,
                                  device_of(snakemake.params.device), o.csv, o.npz)
