"""Rule paper_fig3_checkerboard: ODE and SDE samples of the checkerboard models
(sibench.paper.fig3_checkerboard.write_checkerboard_figure)."""
from sibench.io import logged
from sibench.paper.fig3_checkerboard import write_checkerboard_figure

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_checkerboard_figure(snakemake.params.settings, snakemake.input.models, snakemake.params.reused,
                              snakemake.params.device, o.summary, o.samples, o.png)
