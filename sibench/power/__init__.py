"""The power of the suite's metrics (docs/theory.md §7.8): the truth and injected defects of each
benchmark's target (`defects`), scored by every metric at the sweep's n and seeds (`scores`, with the
stage's settings in `spec`), and which metric detects and orders which defect (`summary`)."""
from .defects import (COV_ORDER, DEFECTS, AffinePushforward, Defect, WeightedCheckerboard, applicable_defects,
                      defect, defective, has_exact_density, heaviest_mode, shift_direction)
from .scores import METRICS, applicable_metrics, lead_metrics, score_benchmark, score_seed
from .spec import POWER_DEFAULTS, PowerSpec, power_enabled, power_settings, power_spec

__all__ = ["COV_ORDER", "DEFECTS", "AffinePushforward", "Defect", "WeightedCheckerboard", "applicable_defects",
           "defect", "defective", "has_exact_density", "heaviest_mode", "shift_direction", "METRICS",
           "applicable_metrics", "lead_metrics", "score_benchmark", "score_seed", "POWER_DEFAULTS", "PowerSpec",
           "power_enabled", "power_settings", "power_spec"]
