"""The numbers of a config: finite, whole where the schema says integer, and bounded by memory.

* Finite: YAML reads `.nan` and `.inf` as floats, and JSON Schema's minimum / maximum cannot refuse a
  NaN (every comparison with it is false), so `check_finite` walks the whole config and names the key
  of the first non-finite number.
* Whole numbers: JSON Schema's "integer" is any number with a zero fractional part, so `steps: 100.0`
  passes the schema. The rule is to accept such a number and use it as the int it is:
  `whole_numbers(config, schema)` converts every integral float the schema calls an integer (the
  workflow applies it right after the schema check, so no rule, resource or figure ever sees 100.0),
  and the stage specs (sibench.config.specs) convert their integer fields the same way for configs
  built in Python.
* Upper bounds (also the schema's `maximum`s, tests/sibench/config/test_numbers.py keeps them
  equal), sized so that a job fits a 24 GB machine or a GPU node:
    MAX_SAMPLES   sampling.n (samples per evaluation and per reference set): the exact W2 (ot.emd2)
                  holds an n x n float64 cost matrix and a network simplex over n^2 arcs, about 40 n^2
                  bytes in all (measured with POT 0.9): 4 GB at n = 10^4; 2 x 10^4 would take 16 GB.
    MAX_POINTS    likelihood.n, evaluation.field_n, train.batch and the paper figures' sample counts:
                  arrays of n points of dimension d in float64, 0.8 GB each at n = 10^5, d = MAX_DIM
                  (the RK4 likelihood holds about six of them; the divergence is chunked).
    MAX_DIM       d of hd-mixture-d<d>: each of the 3 mixture components keeps a d x d covariance and
                  its Cholesky factor in float64 (50 MB in all at d = 1024), and the exact divergence
                  costs d backward passes per point; docs/theory.md §9 goes up to d = 400.
"""
from __future__ import annotations

import copy
import math
from typing import Iterator, Optional, Sequence, Tuple, Union

from .errors import ConfigError

__all__ = ["MAX_SAMPLES", "MAX_POINTS", "MAX_DIM", "key_path", "nonfinite_keys", "check_finite", "whole_numbers",
           "whole", "check_at_most", "check_samples", "check_points", "check_dim"]

MAX_SAMPLES = 10_000
MAX_POINTS = 100_000
MAX_DIM = 1024

Key = Tuple[Union[str, int], ...]


def key_path(keys: Sequence[Union[str, int]]) -> str:
    """("sampling", "ode", "steps", 0) -> "sampling.ode.steps[0]"."""
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out or "<config>"


def nonfinite_keys(value, keys: Key = ()) -> Iterator[Key]:
    """The key of every NaN or infinite number under value (mappings and lists, in order)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield keys
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from nonfinite_keys(v, keys + (k,))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from nonfinite_keys(v, keys + (i,))


def check_finite(config: dict) -> None:
    """ConfigError naming the first NaN or infinite number of the config (and how many there are)."""
    bad = list(nonfinite_keys(config))
    if bad:
        first = bad[0]
        more = f" (and {len(bad) - 1} more: {', '.join(key_path(k) for k in bad[1:4])})" if len(bad) > 1 else ""
        value = config
        for k in first:
            value = value[k]
        raise ConfigError(f"{key_path(first)}: every number must be finite, got {value}{more}")


def whole(value, key: str, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    """value as an int: an int or an integral float (100.0); ConfigError naming key for anything else
    (a bool, 100.5, a string) or outside [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not value.is_integer()):
        raise ConfigError(f"{key}: must be a whole number, got {value!r}")
    n = int(value)
    if minimum is not None and n < minimum:
        raise ConfigError(f"{key}: must be >= {minimum}, got {value!r}")
    if maximum is not None and n > maximum:
        raise ConfigError(f"{key}: must be <= {maximum}, got {value!r}")
    return n


def check_at_most(value, key: str, maximum: int, reason: str) -> None:
    """ConfigError naming key when value exceeds maximum, with the reason of the bound."""
    if value > maximum:
        raise ConfigError(f"{key}: {value} is above the upper bound {maximum} ({reason})")


def check_samples(n, key: str) -> None:
    check_at_most(n, key, MAX_SAMPLES, f"the exact W2 of n samples holds about 40 n^2 bytes, "
                                       f"{40 * MAX_SAMPLES ** 2 / 1e9:g} GB at n = {MAX_SAMPLES}")


def check_points(n, key: str) -> None:
    check_at_most(n, key, MAX_POINTS, f"arrays of n points of dimension up to d = {MAX_DIM} in float64, "
                                      f"{8 * MAX_POINTS * MAX_DIM / 1e9:g} GB each at n = {MAX_POINTS}")


def check_dim(d, key: str) -> None:
    check_at_most(d, key, MAX_DIM, f"the dimension d: the mixture keeps d x d covariances and Cholesky factors "
                                   f"in float64 and the exact divergence costs d backward passes per point")


# -- integers where the schema says so ----------------------------------------------------------
def _resolve(node: dict, schema: dict) -> dict:
    """node with its local $ref ("#/$defs/...", a JSON pointer into schema) followed."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref is supported, got {ref!r}")
        node = schema
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        seen += 1
        if seen > 64:
            raise ValueError(f"$ref cycle at {ref!r}")
    return node if isinstance(node, dict) else {}


def _says_integer(node: dict, schema: dict) -> bool:
    t = node.get("type")
    if t == "integer" or (isinstance(t, list) and "integer" in t and "number" not in t):
        return True
    return any(_says_integer(_resolve(alt, schema), schema) for key in ("oneOf", "anyOf")
               for alt in node.get(key, []))


def _whole_numbers(value, node: dict, schema: dict, keys: Key):
    node = _resolve(node, schema)
    if isinstance(value, float) and _says_integer(node, schema):
        return whole(value, key_path(keys))
    if isinstance(value, dict):
        props, extra = node.get("properties", {}), node.get("additionalProperties")
        return {k: _whole_numbers(v, props.get(k, extra if isinstance(extra, dict) else {}), schema, keys + (k,))
                for k, v in value.items()}
    if isinstance(value, list):
        items = node.get("items")
        return [_whole_numbers(v, items if isinstance(items, dict) else {}, schema, keys + (i,))
                for i, v in enumerate(value)]
    return copy.deepcopy(value)


def whole_numbers(config: dict, schema: dict) -> dict:
    """A copy of config in which every float at a place the schema types "integer" is an int (100.0 ->
    100); a float there with a fraction is a ConfigError naming its key. Everything else is unchanged."""
    return _whole_numbers(config, schema, schema, ())
