"""Rule evaluate: sample every seed's model of one benchmark x method and compute all metrics
(sibench.stages.evaluate.evaluate_group)."""
from sibench.config.specs import EvaluateSpec
from sibench.io import logged
from sibench.stages.evaluate import evaluate_group

with logged(snakemake.log[0], snakemake.threads):
    i, o = snakemake.input, snakemake.output
    specs = [EvaluateSpec.from_dict(d) for d in snakemake.params.specs]
    evaluate_group(specs, i.models, i.truth, i.truth_json, o.samples, o.rows)
