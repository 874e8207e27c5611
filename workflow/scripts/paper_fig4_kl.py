"""Rule paper_fig4_kl: KL against eps in one dimension, three training levels (sibench.paper.likelihood_control_run)."""
from sibench import experiment as E, paper as P

with E.logged(snakemake.log[0], snakemake.threads):
    s = {k: v for k, v in snakemake.params.settings.items() if k not in ("method", "short_steps")}
    i = snakemake.input
    df = P.likelihood_control_run(snakemake.wildcards.hd, i.well, i.short, device=snakemake.params.device, **s)
    print(df.to_string(index=False))
    E.write_csv(snakemake.output[0], df)
