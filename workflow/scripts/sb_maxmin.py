"""Rule sb_maxmin: fit the max-min Schroedinger bridge on one pair for every seed, save it, sample and
evaluate it (sibench.stages.sb_maxmin.sb_maxmin_group)."""
from sibench.config.sb_maxmin import SbMaxMinSpec
from sibench.io import logged
from sibench.stages.sb_maxmin import sb_maxmin_group

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    specs = [SbMaxMinSpec.from_dict(d) for d in snakemake.params.specs]
    sb_maxmin_group(specs, snakemake.input.truth, snakemake.input.truth_json,
                    {k: list(getattr(o, k)) for k in ("model", "losses", "samples", "rows", "curve", "xhat")},
                    threads=snakemake.threads)
