"""Rules figure_*: one seaborn figure (sibench.figures.FIGURES[name], name = the rule without 'figure_')."""
from sibench.figures import write_figure
from sibench.io import logged

with logged(snakemake.log[0]):
    write_figure(snakemake.rule.removeprefix("figure_"), snakemake.input, snakemake.output[0],
                 wildcards=dict(snakemake.wildcards), params=dict(snakemake.params))
