"""Rule tables: Markdown and LaTeX tables of one benchmark (sibench.plotting.write_tables)."""
from sibench import experiment as E

with E.logged(snakemake.log[0]):
    E.write_tables(snakemake.input.metrics, snakemake.input.truth_json, snakemake.wildcards.benchmark,
                   snakemake.output.md, snakemake.output.tex, snakemake.output.html)
