"""Rule paper_fig5_bridge: interpolant marginals against the exact Gaussian bridge
(sibench.paper.fig5_plot.write_bridge_figure)."""
from sibench.io import logged
from sibench.paper.fig5_plot import TABLES, write_bridge_figure

with logged(snakemake.log[0], snakemake.threads):
    write_bridge_figure(snakemake.params.settings, snakemake.input.learned,
                        {name: snakemake.output[name] for name in TABLES}, snakemake.output.png)
