"""Stage truth: reference samples of a benchmark's target, likelihood test points, the floors of the
sample distances (mean and standard deviation over repeated truth-vs-truth draws), the entropy.

A floor's standard deviation is what a model's distance is read against (the tables show W2 as
(W2 - floor) / sd, never ranked, docs/theory.md §7.1): W2 of n samples against the reference set, the
coupling W2 against the exact plan on bridge pairs, and with sliced_n > 0 the sliced W2 of sliced_n
samples against a reference set of that size.
"""
from __future__ import annotations

import json

import numpy as np

from ..config.specs import TruthSpec
from ..io import save_npz, write_json
from ..pairs import get_benchmark
from ..seeds import generator, stable_seed
from si import metrics

__all__ = ["SLICED_SEED", "make_truth"]

SLICED_SEED = stable_seed("sliced-directions")   # the directions of every sliced W2 (models and floors)


def _spread(values) -> dict:
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")}


def make_truth(spec: TruthSpec, out_npz, out_json) -> None:
    """Reference samples of rho1 (n), test points for the likelihood (n_test), the W2 floor (mean and sd of
    floor_repeats truth-vs-reference W2 at the same n), on bridge pairs the coupling-W2 floor, with
    sliced_n > 0 a sliced reference set and its floor, and the target entropy."""
    pair = get_benchmark(spec.benchmark)
    g = generator("truth", spec.benchmark)
    n = int(spec.n)
    ref = pair.rho1.sample(n, generator=g)
    floors = [metrics.w2(pair.rho1.sample(n, generator=g), ref) for _ in range(int(spec.floor_repeats))]
    test = pair.rho1.sample(int(spec.n_test), generator=g)
    w2f = _spread(floors)
    info = {"benchmark": spec.benchmark, "dim": pair.dim, "n": n, "w2_floor": w2f["mean"], "w2_floor_sd": w2f["sd"],
            "w2_floor_values": floors, "entropy": float(pair.rho1.entropy),
            "entropy_se": float(pair.rho1.entropy_se), "rho0": pair.rho0.name, "rho1": pair.rho1.name,
            "has_oracle": bool(pair.has_oracle), "is_bridge": bool(pair.is_bridge), "sigma2": pair.sigma2,
            "support": hasattr(pair.rho1, "support_fraction"), "description": pair.description}
    arrays = {"x1_ref": ref.numpy().astype(np.float64), "x1_test": test.numpy().astype(np.float64)}
    if pair.is_bridge:
        gb = generator("truth-coupling", spec.benchmark)
        y0, y1 = pair.bridge.sample_plan(n, gb)
        cf = [metrics.coupling_w2(*pair.bridge.sample_plan(n, gb), y0, y1) for _ in range(int(spec.floor_repeats))]
        info.update(coupling_floor=_spread(cf)["mean"], coupling_floor_sd=_spread(cf)["sd"], coupling_floor_values=cf)
    if spec.sliced_n > 0:
        gs = generator("truth-sliced", spec.benchmark)
        big = pair.rho1.sample(int(spec.sliced_n), generator=gs)
        sf = [metrics.sliced_w2(pair.rho1.sample(int(spec.sliced_n), generator=gs), big,
                                n_projections=int(spec.sliced_projections), seed=SLICED_SEED)
              for _ in range(int(spec.floor_repeats))]
        info.update(sliced_n=int(spec.sliced_n), sliced_floor=_spread(sf)["mean"], sliced_floor_sd=_spread(sf)["sd"],
                    sliced_floor_values=sf)
        arrays["x1_sliced"] = big.numpy().astype(np.float64)
    save_npz(out_npz, arrays)
    write_json(out_json, info)
    print(json.dumps(info, indent=1))
