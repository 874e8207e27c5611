"""Rule paper_fig2_trajectories: ODE and SDE paths under the exact fields (sibench.paper.trajectories)."""
from sibench import experiment as E, paper as P, paper_plots as PP

with E.logged(snakemake.log[0], snakemake.threads):
    tables = P.trajectories(**snakemake.params.settings)
    print(tables["summary"].to_string(index=False))
    for name in ("summary", "terminal", "paths", "density"):
        E.write_csv(snakemake.output[name], tables[name])
    PP.plot_trajectories(tables, snakemake.output.png)
