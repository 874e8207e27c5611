"""Rule tables: Markdown, LaTeX and HTML tables of one benchmark (sibench.tables.write_tables)."""
from sibench.io import logged
from sibench.tables import write_tables

with logged(snakemake.log[0]):
    write_tables(snakemake.input.metrics, snakemake.input.truth_json, snakemake.wildcards.benchmark,
                 snakemake.output.md, snakemake.output.tex, snakemake.output.html)
