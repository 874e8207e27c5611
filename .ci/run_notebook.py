"""Execute notebooks top to bottom with nbclient (CI): any cell that raises fails the run.

Usage: python .ci/run_notebook.py examples/own_data.ipynb [...]
Each notebook runs in a fresh python3 kernel whose working directory is the repository root (so
`import si` resolves to this checkout); the notebook file is not modified. Prints each notebook's
wall time and the text output of its last cell.
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    last = [o.get("text", "") for o in nb.cells[-1].get("outputs", []) if o.get("output_type") == "stream"]
    print("".join(last).rstrip())
    print(f"{path}: executed in {time.time() - start:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        run(Path(arg))
