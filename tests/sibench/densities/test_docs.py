"""docs/densities.md lists every density and pair and every stored entropy."""
from __future__ import annotations

import pathlib

from sibench import densities as D
from sibench.pairs import BENCHMARKS

DOCS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "densities.md"


# ----------------------------------------------------------------------------------------
# documentation
# ----------------------------------------------------------------------------------------
def test_docs_table_lists_every_density_and_pair():
    text = DOCS.read_text()
    for name in list(D.DENSITIES) + list(BENCHMARKS):
        assert f"`{name}`" in text, f"{name} missing from docs/densities.md"
    for name, (H, se) in D.MC_ENTROPIES.items():
        if not name.startswith("mixture3-") or name in ("mixture3-d16", "mixture3-d32"):
            assert f"{H:.4f}" in text, f"entropy of {name} ({H:.4f}) missing from docs/densities.md"
