"""Rule paper_fig1_density: exact rho_t of the 1-D pair for each interpolant
(sibench.paper.fig1_density.write_density_figure)."""
from sibench.io import logged
from sibench.paper.fig1_density import write_density_figure

with logged(snakemake.log[0], snakemake.threads):
    write_density_figure(snakemake.params.settings, snakemake.output.csv, snakemake.output.png)
