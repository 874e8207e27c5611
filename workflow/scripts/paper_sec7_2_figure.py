"""Rule sec7_2_figure: figures 12-14 of section 7.2 (sibench.paper.sec7_2_plot.write_sec7_2_figure)."""
from sibench.io import logged
from sibench.paper.sec7_2_plot import write_sec7_2_figure

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_sec7_2_figure(snakemake.input.csv, snakemake.input.npz, o.png, o.density, o.csv, o.optimum, o.comparisons,
                        snakemake.params.scale)
