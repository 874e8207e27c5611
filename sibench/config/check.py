"""The checks a config's schema cannot express: finite numbers, the device, the size of a benchmark,
cross-references, which paths a pair admits and which objectives an interpolant admits, and the
sb_maxmin section (sibench.config.sb_maxmin).

`check_config` runs before any job starts (the workflow calls it through sibench.config.plan); every
failure is a ConfigError whose message names the offending key.
"""
from __future__ import annotations

import re

from .device import check_device
from .errors import ConfigError
from .numbers import check_dim, check_finite
from .resolve import evaluate_spec, resolve_model, train_spec
from .sb_maxmin import check_sb_maxmin
from ..pairs import get_benchmark
from si.interpolants import Interpolant
from si.objectives import check_objective

__all__ = ["ConfigError", "check_config", "check_benchmark_name"]

HD_NAME = re.compile(r"hd-mixture-d([0-9]+)")


def check_benchmark_name(name: str) -> None:
    """hd-mixture-d<d> with d above MAX_DIM is refused by its name, before the pair (d x d covariances)
    is built; ConfigError naming benchmarks.<name>."""
    m = HD_NAME.fullmatch(name)
    if m:
        check_dim(int(m[1]), f"benchmarks.{name}")


def check_config(config: dict) -> None:
    """Checks the schema cannot express; raises ConfigError naming the offending key."""
    check_finite(config)
    check_device(config.get("device", "auto"))
    methods = config["methods"]
    for name, m in methods.items():
        try:
            interp = Interpolant(m["path"], m.get("gamma"), m["a"] if isinstance(m.get("a"), (int, float)) else 1.0)
        except ValueError as e:
            raise ConfigError(f"methods.{name}: {e}") from None
        try:
            check_objective(m["objective"], interp)
        except ValueError as e:
            raise ConfigError(f"methods.{name}.objective: {e}") from None
    for b, spec in config["benchmarks"].items():
        check_benchmark_name(b)
        try:
            pair = get_benchmark(b)
        except ValueError as e:
            raise ConfigError(f"benchmarks.{b}: {e}") from None
        for i, name in enumerate(spec["methods"]):
            if name not in methods:
                raise ConfigError(f"benchmarks.{b}.methods[{i}]: unknown method {name!r}; defined under "
                                  f"methods: {sorted(methods)}")
            m = methods[name]
            interp = Interpolant(m["path"], m.get("gamma"))
            if interp.one_sided and pair.latent != "rho0":
                raise ConfigError(f"benchmarks.{b}.methods[{i}]: method {name!r} uses the one-sided path "
                                  f"{m['path']!r}, which needs rho0 = N(0, I); rho0 of {b!r} is {pair.rho0.name!r}")
            if interp.mirror and not pair.mirror:
                raise ConfigError(f"benchmarks.{b}.methods[{i}]: method {name!r} uses the mirror path, which needs "
                                  f"a pair with rho0 = rho1; {b!r} is not one")
            if m.get("coupling", "independent") != "independent" and (interp.one_sided or interp.mirror):
                raise ConfigError(f"methods.{name}.coupling: a coupling other than 'independent' needs a "
                                  f"two-sided, non-mirror path (used on {b!r})")
            model = resolve_model(config, b, name)
            try:
                model.interpolant()
            except ValueError as e:
                raise ConfigError(f"methods.{name} on benchmarks.{b}: {e}") from None
            # the merged training settings and window, checked by the code that will use them, so that an
            # override at any level fails here, before a job starts
            train_spec(config, b, name, 0)
            evaluate_spec(config, b, name, 0)
    check_sb_maxmin(config)
