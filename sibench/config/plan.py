"""A config's runs: every (benchmark, method, seed) it trains and evaluates."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

from .check import check_config
from .numbers import whole

__all__ = ["Run", "plan", "results_dir", "report_dir"]


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
    seeds = [whole(s, f"seeds[{i}]", minimum=0) for i, s in enumerate(config["seeds"])]
    runs = []
    for b, spec in config["benchmarks"].items():
        for m in spec["methods"]:
            for seed in seeds:
                runs.append(Run(b, m, seed))
    return runs


def results_dir(config: dict) -> str:
    """Where a config's results go: results/<name> (each config under its own name, so a quick run never
    touches the default run's files)."""
    return f"results/{config['name']}"


def report_dir(config: dict) -> str:
    """Where a config's tables and figures go: report/<name> (the committed report is report/default)."""
    return f"report/{config['name']}"
