"""Rule paper_fig4_kl: KL against eps in one dimension, three training levels
(sibench.paper.fig4_likelihood.write_kl_table)."""
from sibench.io import logged
from sibench.paper.fig4_likelihood import write_kl_table

with logged(snakemake.log[0], snakemake.threads):
    i = snakemake.input
    write_kl_table(snakemake.wildcards.hd, i.well, i.short, snakemake.params.device, snakemake.params.settings,
                   snakemake.output[0])
