"""Rule paper_fig1_density: exact rho_t of the 1-D pair for each interpolant (sibench.paper.density_evolution)."""
from sibench import experiment as E, paper as P, paper_plots as PP

with E.logged(snakemake.log[0], snakemake.threads):
    df = P.density_evolution(**snakemake.params.settings)
    print(P.density_masses(df).to_string(index=False))
    E.write_csv(snakemake.output.csv, df)
    PP.plot_density_evolution(df, snakemake.output.png)
