"""Rule summary_table: the W2 table of every benchmark on one Markdown page (sibench.plotting.write_summary)."""
from sibench import experiment as E

with E.logged(snakemake.log[0]):
    E.write_summary(snakemake.input.metrics, snakemake.input.truth_json, snakemake.output[0],
                    title=snakemake.params.name)
