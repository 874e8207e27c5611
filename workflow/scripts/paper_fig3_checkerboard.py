"""Rule paper_fig3_checkerboard: ODE and SDE samples of the checkerboard models (sibench.paper.checkerboard_samples)."""
from sibench import experiment as E, paper as P, paper_plots as PP

with E.logged(snakemake.log[0], snakemake.threads):
    s = dict(snakemake.params.settings)
    tables = P.checkerboard_samples(s.pop("panels"), snakemake.input.models, reused=snakemake.params.reused,
                                    device=snakemake.params.device, **s)
    print(tables["summary"].to_string(index=False))
    E.write_csv(snakemake.output.summary, tables["summary"])
    E.write_csv(snakemake.output.samples, tables["samples"])
    PP.plot_checkerboard(tables["samples"], tables["summary"], snakemake.output.png)
