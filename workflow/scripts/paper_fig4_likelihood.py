"""Rule paper_fig4_likelihood: the likelihood-control figure and its verdict (sibench.paper.likelihood_verdict)."""
import pandas as pd

from sibench import experiment as E, paper as P, paper_plots as PP

with E.logged(snakemake.log[0], snakemake.threads):
    df = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    verdict = P.likelihood_verdict(df)
    print(verdict.to_string(index=False))
    E.write_csv(snakemake.output.csv, df)
    E.write_csv(snakemake.output.verdict, verdict)
    PP.plot_likelihood(df, verdict, snakemake.output.png)
