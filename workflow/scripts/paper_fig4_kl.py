"""Rule paper_fig4_kl: KL against eps in one dimension, three training levels (si.paper.likelihood_control)."""
import pandas as pd

from si import experiment as E, paper as P
from si.training import load_model

with E.logged(snakemake.log[0], snakemake.threads):
    s = {k: v for k, v in snakemake.params.settings.items() if k not in ("method", "short_steps")}
    hd, i = snakemake.wildcards.hd, snakemake.input
    failed = [f"{name}: {P.checkpoint_failed(path)}" for name, path in (("well", i.well), ("short", i.short))
              if P.checkpoint_failed(path)]
    if failed:  # a diverged training: one row saying so (the figure marks the panel)
        df = pd.DataFrame([{"benchmark": hd, "dim": int(hd.rsplit("d", 1)[1]), "level": None,
                            "estimator": "train_failed", "note": "; ".join(failed)}])
    else:
        dev = P.device_of(snakemake.params.device)
        df = P.likelihood_control(hd, load_model(i.well, device=dev), load_model(i.short, device=dev), **s)
    print(df.to_string(index=False))
    E.write_csv(snakemake.output[0], df)
