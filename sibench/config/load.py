"""The config as the workflow takes it (workflow/rules/common.smk calls `checked_config` before any job
starts): every config file read again strictly (a repeated key refused, naming its file and line:
Snakemake keeps the last one without a word), the JSON schema (draft 2020-12: unknown keys and names,
negative eps, missing fields, upper bounds), every integral float the schema calls an integer made an int
(steps: 100.0 -> 100; sibench.config.numbers), then the checks the schema cannot express (finite numbers,
the device, cross-references, objective against gamma: sibench.config.check, through plan). One function,
so that the workflow and the tests run the same checks in the same order."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List, Tuple, Union

import yaml

from .errors import ConfigError
from .files import check_unique_keys
from .numbers import whole_numbers
from .plan import Run, plan

__all__ = ["checked_config"]


def checked_config(config: dict, schema_file: Union[str, Path],
                   files: Iterable[Union[str, Path]] = ()) -> Tuple[dict, List[Run]]:
    """(config with whole numbers as ints, its runs); ConfigError naming the key (or file and line) otherwise.

    files: the config files the config was merged from (each read again for repeated keys; a file that does
    not exist here, as on a cluster node given the config as values, is skipped)."""
    for file in files:
        if os.path.exists(file):
            check_unique_keys(file)
    from snakemake.exceptions import WorkflowError   # the workflow's own schema check (jsonschema inside)
    from snakemake.utils import validate
    try:
        validate(config, str(schema_file), set_default=False)
    except WorkflowError as e:
        raise ConfigError(str(e)) from None
    with open(schema_file, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    checked = {**config, **whole_numbers(config, schema)}
    return checked, plan(checked)
