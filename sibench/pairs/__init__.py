"""Named benchmark pairs (rho0, rho1) with their ground truth attached.

  pair      BenchmarkPair: the latent side, the exact oracle, the target entropy, the exact bridge
  named     how each registered pair is built
  bridges   the fixed Schroedinger-bridge pairs (parameters only; the bridges are si.bridges), imported
            only when a bridge pair is built
  registry  BENCHMARKS (name -> pair, built on first lookup), benchmark_names, get_benchmark
"""
from .pair import BenchmarkPair
from .registry import BENCHMARKS, PairRegistry, benchmark_names, get_benchmark

__all__ = ["BenchmarkPair", "BENCHMARKS", "PairRegistry", "benchmark_names", "get_benchmark"]
