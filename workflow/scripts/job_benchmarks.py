"""Rule job_benchmarks: per-job time and memory as results/benchmarks.csv (sibench.stages.aggregate.merge_benchmarks)."""
from sibench.io import logged
from sibench.stages.aggregate import merge_benchmarks

with logged(snakemake.log[0]):
    merge_benchmarks(snakemake.input, snakemake.output[0])
