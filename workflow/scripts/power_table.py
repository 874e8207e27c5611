"""Rule metric_power_table: the metric-power table (sibench.stages.power.write_power_table)."""
from sibench.io import logged
from sibench.stages.power import write_power_table

with logged(snakemake.log[0]):
    write_power_table(list(snakemake.input), snakemake.output.md, snakemake.output.html,
                      alpha=float(snakemake.params.alpha))
