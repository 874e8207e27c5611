"""Rule job_benchmarks: per-job time and memory as results/benchmarks.csv (sibench.experiment.merge_benchmarks)."""
from sibench import experiment as E

with E.logged(snakemake.log[0]):
    E.merge_benchmarks(snakemake.input, snakemake.output[0])
