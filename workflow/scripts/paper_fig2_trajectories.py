"""Rule paper_fig2_trajectories: ODE and SDE paths under the exact fields
(sibench.paper.fig2_trajectories.write_trajectories_figure)."""
from sibench.io import logged
from sibench.paper.fig2_trajectories import TABLES, write_trajectories_figure

with logged(snakemake.log[0], snakemake.threads):
    write_trajectories_figure(snakemake.params.settings, {name: snakemake.output[name] for name in TABLES},
                              snakemake.output.png)
