"""scikit-learn's 8 x 8 handwritten digits (1797 images, 17 intensity levels 0..16, 10 classes), read
from the copy shipped inside the scikit-learn wheel (sklearn.datasets.load_digits: no download), as an
ImageSet for the paper's section 7.3 at laptop scale."""
from __future__ import annotations

import numpy as np

from .images import ImageSet

__all__ = ["DIGITS_LEVELS", "load_digits_set"]

DIGITS_LEVELS = 17   # pixel values 0..16


def load_digits_set() -> ImageSet:
    """The 1797 digits as an ImageSet of shape (1, 8, 8), levels 0..16, labels 0..9."""
    from sklearn.datasets import load_digits
    d = load_digits()
    v = np.rint(d.data).astype(np.int64)
    if not np.array_equal(v, d.data):
        raise ValueError("scikit-learn's digits are expected to hold integer levels")
    return ImageSet("digits", DIGITS_LEVELS, v.reshape(-1, 1, 8, 8), d.target.astype(np.int64),
                    tuple(str(k) for k in range(10)))
