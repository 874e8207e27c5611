"""A benchmark config: its checks (check), its runs (plan), and the specs of each stage (specs, built by
resolve). The workflow (workflow/rules/common.smk) plans the runs and passes each job its spec."""
from .check import check_config
from .errors import ConfigError
from .plan import Run, plan, report_dir, results_dir
from .resolve import STAGES, evaluate_spec, stage_spec, train_spec, truth_spec
from .specs import EvaluateSpec, ModelSpec, TrainSpec, TruthSpec

__all__ = ["ConfigError", "check_config", "Run", "plan", "results_dir", "report_dir", "STAGES", "truth_spec", "train_spec", "evaluate_spec",
           "stage_spec", "TruthSpec", "TrainSpec", "EvaluateSpec", "ModelSpec"]
