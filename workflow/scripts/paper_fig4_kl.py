"""Rule paper_fig4_kl: KL against eps in one dimension, three training levels (si.paper.likelihood_control)."""
from si import experiment as E, paper as P
from si.training import load_model

with E.logged(snakemake.log[0], snakemake.threads):
    s = {k: v for k, v in snakemake.params.settings.items() if k not in ("method", "short_steps")}
    dev = P.device_of(snakemake.params.device)
    well, short = load_model(snakemake.input.well, device=dev), load_model(snakemake.input.short, device=dev)
    df = P.likelihood_control(snakemake.wildcards.hd, well, short, **s)
    print(df.to_string(index=False))
    E.write_csv(snakemake.output[0], df)
