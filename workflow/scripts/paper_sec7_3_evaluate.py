"""Rule sec7_3_evaluate: one image model of section 7.3 (sibench.paper.sec7_3_digits.write_digits_evaluation)."""
from sibench.devices import device_of
from sibench.io import logged
from sibench.paper.sec7_3_digits import write_digits_evaluation

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_digits_evaluation(snakemake.input.model, snakemake.input.classifier, snakemake.params.label,
                            snakemake.params.settings, device_of(snakemake.params.device), o.csv, o.npz)
