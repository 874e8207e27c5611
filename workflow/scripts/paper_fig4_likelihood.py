"""Rule paper_fig4_likelihood: the likelihood-control figure and its verdict
(sibench.paper.fig4_plot.write_likelihood_figure)."""
from sibench.io import logged
from sibench.paper.fig4_plot import write_likelihood_figure

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_likelihood_figure(snakemake.input, o.csv, o.verdict, o.png)
