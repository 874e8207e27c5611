"""Benchmark pairs by name: BENCHMARKS, a read-only mapping name -> pair that builds (and caches) a pair
when it is looked up, so listing the names costs nothing; get_benchmark also accepts hd-mixture-d<d> for
any d >= 2 (docs/theory.md §9 goes up to d = 400). Names use only [a-z0-9.-], so they are safe as file
names and Snakemake wildcards."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Callable, Dict, Iterator, Optional

from .named import BUILDERS, hd_mixture_pair
from .pair import BenchmarkPair

__all__ = ["PairRegistry", "BENCHMARKS", "benchmark_names", "get_benchmark"]

_HD_PATTERN = re.compile(r"hd-mixture-d(\d+)")


class PairRegistry(Mapping):
    """name -> BenchmarkPair, built on first lookup and cached."""

    def __init__(self, builders: Dict[str, Callable[[], BenchmarkPair]]):
        self._builders, self._cache = builders, {}

    def __getitem__(self, name: str) -> BenchmarkPair:
        if name not in self._cache:
            if name in self._builders:
                self._cache[name] = self._builders[name]()
            else:
                m = _HD_PATTERN.fullmatch(name) if isinstance(name, str) else None
                if not m or int(m[1]) < 2:
                    raise KeyError(name)
                self._cache[name] = hd_mixture_pair(int(m[1]))
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __contains__(self, name) -> bool:
        return name in self._builders or (isinstance(name, str) and bool(_HD_PATTERN.fullmatch(name)))

    def __repr__(self) -> str:
        return f"BENCHMARKS({list(self._builders)})"


BENCHMARKS = PairRegistry(BUILDERS)


def benchmark_names(tag: Optional[str] = None) -> list:
    """Registered names, optionally those whose name prefix or tag matches (without building
    bridge pairs: the tag test uses the name's conventional prefix for them)."""
    if tag is None:
        return list(BENCHMARKS)
    prefix_tags = {"sb": "sb-", "sb-gauss": "sb-gauss-", "sb-mixture": "sb-mixture-", "highdim": "hd-"}
    if tag in prefix_tags:
        return [n for n in BENCHMARKS if n.startswith(prefix_tags[tag])]
    return [n for n in BENCHMARKS if not n.startswith("sb-") and tag in BENCHMARKS[n].tags]


def get_benchmark(name: str) -> BenchmarkPair:
    """The named benchmark pair; ValueError listing the valid names otherwise."""
    try:
        return BENCHMARKS[name]
    except KeyError:
        raise ValueError(f"unknown benchmark {name!r}; valid names: {list(BENCHMARKS)} "
                         f"(and hd-mixture-d<d> for any d >= 2)") from None
