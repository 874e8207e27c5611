"""A config's runs: every (benchmark, method, seed) it trains and evaluates."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

from .check import check_config

__all__ = ["Run", "plan"]


@dataclass(frozen=True)
class Run:
    benchmark: str
    method: str
    seed: int

    @property
    def stem(self) -> str:
        """The run's place in every results folder: {benchmark}/{method}/seed{seed}."""
        return f"{self.benchmark}/{self.method}/seed{self.seed}"


def plan(config: dict) -> List[Run]:
    """Every (benchmark, method, seed) of the config, in config order, after check_config."""
    check_config(config)
    runs = []
    for b, spec in config["benchmarks"].items():
        for m in spec["methods"]:
            for seed in config["seeds"]:
                runs.append(Run(b, m, int(seed)))
    return runs
