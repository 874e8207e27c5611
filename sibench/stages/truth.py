"""Stage truth: reference samples of a benchmark's target, likelihood test points, W2 floor, entropy."""
from __future__ import annotations

import json

import numpy as np

from ..config.specs import TruthSpec
from ..io import save_npz, write_json
from ..pairs import get_benchmark
from ..seeds import generator
from si import metrics

__all__ = ["make_truth"]


def make_truth(spec: TruthSpec, out_npz, out_json) -> None:
    """Reference samples of rho1 (n), test points for the likelihood (n_test), the W2 floor (mean of
    floor_repeats truth-vs-reference W2 at the same n) and the target entropy."""
    pair = get_benchmark(spec.benchmark)
    g = generator("truth", spec.benchmark)
    n = int(spec.n)
    ref = pair.rho1.sample(n, generator=g)
    floors = [metrics.w2(pair.rho1.sample(n, generator=g), ref) for _ in range(int(spec.floor_repeats))]
    test = pair.rho1.sample(int(spec.n_test), generator=g)
    info = {"benchmark": spec.benchmark, "dim": pair.dim, "n": n, "w2_floor": float(np.mean(floors)),
            "w2_floor_values": floors, "entropy": float(pair.rho1.entropy),
            "entropy_se": float(pair.rho1.entropy_se), "rho0": pair.rho0.name, "rho1": pair.rho1.name,
            "has_oracle": bool(pair.has_oracle), "is_bridge": bool(pair.is_bridge), "sigma2": pair.sigma2,
            "support": hasattr(pair.rho1, "support_fraction"), "description": pair.description}
    save_npz(out_npz, {"x1_ref": ref.numpy().astype(np.float64), "x1_test": test.numpy().astype(np.float64)})
    write_json(out_json, info)
    print(json.dumps(info, indent=1))
