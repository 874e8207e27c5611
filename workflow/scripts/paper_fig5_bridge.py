"""Rule paper_fig5_bridge: interpolant marginals against the exact Gaussian bridge (sibench.paper.bridge_marginals)."""
from sibench import experiment as E, paper as P, paper_plots as PP

with E.logged(snakemake.log[0], snakemake.threads):
    tables = P.bridge_marginals(**snakemake.params.settings)
    learned = P.learned_bridge_rows(snakemake.input.learned, float(tables["info"]["sigma2"].iloc[0]))
    print(tables["curves"].pivot_table(index="t", columns=["coupling", "kind"], values="bures_w2").to_string())
    for name in ("curves", "samples", "ellipses"):
        E.write_csv(snakemake.output[name], tables[name])
    E.write_csv(snakemake.output.learned, learned)
    PP.plot_bridge(tables["curves"], tables["samples"], tables["info"], snakemake.output.png, learned=learned,
                   ellipses=tables["ellipses"])
