"""A benchmark config, checked as the workflow takes it (load): its files read strictly (files), its numbers (numbers: finite, whole, bounded), its
device (device), its checks (check), its runs (plan), and the specs of each stage (specs, built by
resolve). The workflow (workflow/rules/common.smk) reads and checks the config, plans the runs and passes
each job its spec."""
from .check import check_config
from .device import check_device
from .errors import ConfigError
from .files import DuplicateKeyError, check_unique_keys
from .load import checked_config
from .numbers import MAX_DIM, MAX_POINTS, MAX_SAMPLES, check_finite, whole_numbers
from .plan import Run, plan, report_dir, results_dir
from .sb_maxmin import SbMaxMinSpec, sb_maxmin_benchmarks, sb_maxmin_spec
from .resolve import STAGES, evaluate_spec, stage_spec, train_spec, truth_spec
from .specs import EvaluateSpec, ModelSpec, TrainSpec, TruthSpec

__all__ = ["ConfigError", "DuplicateKeyError", "checked_config", "check_config", "check_device", "check_unique_keys", "check_finite",
           "whole_numbers", "MAX_DIM", "MAX_POINTS", "MAX_SAMPLES", "Run", "plan", "results_dir", "report_dir",
           "STAGES", "truth_spec", "train_spec", "evaluate_spec", "stage_spec", "TruthSpec", "TrainSpec",
           "EvaluateSpec", "ModelSpec", "SbMaxMinSpec", "sb_maxmin_benchmarks", "sb_maxmin_spec"]
