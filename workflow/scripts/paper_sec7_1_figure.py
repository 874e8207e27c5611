"""Rule sec7_1_figure: figures 9 and 10 of section 7.1 (sibench.paper.sec7_1_plot.write_sec7_1_figure)."""
from sibench.io import logged
from sibench.paper.sec7_1_plot import write_sec7_1_figure

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_sec7_1_figure(snakemake.input.csv, snakemake.input.npz, snakemake.params.labels, o.png, o.csv, o.findings,
                        snakemake.params.scale)
