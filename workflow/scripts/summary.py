"""Rule summary_table: the W2 table of every benchmark on one Markdown page (sibench.tables.write_summary)."""
from sibench.io import logged
from sibench.tables import write_summary

with logged(snakemake.log[0]):
    write_summary(snakemake.input.metrics, snakemake.input.truth_json, snakemake.output[0], title=snakemake.params.name)
