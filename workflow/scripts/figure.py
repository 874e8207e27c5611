"""Rules figure_*: one seaborn figure (sibench.plotting.FIGURES[name], name = the rule without 'figure_')."""
from sibench import experiment as E

with E.logged(snakemake.log[0]):
    E.write_figure(snakemake.rule.removeprefix("figure_"), snakemake.input, snakemake.output[0],
                   wildcards=dict(snakemake.wildcards), params=dict(snakemake.params))
