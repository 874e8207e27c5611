"""Image sets as densities on [-1, 1]^D for the paper's section 7.3 (Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797; docs/paper.md): an ImageSet (integer intensity levels, optional class labels), its
seeded split into the generative model's training images and the held-out images of the classifier,
and DequantisedImages, the sampler the trainer draws x1 from.

Pixels take L integer levels v in {0, ..., L-1} (L = 17 for scikit-learn's 8 x 8 digits, 256 for 8-bit
images). A drawn image is dequantised, x = 2 (v + u) / L - 1 with u ~ U[0, 1) per pixel, so the target
is a density (uniform within each level's cell) on [-1, 1]^D; `centres` are the cells' midpoints
2 (v + 1/2) / L - 1, the images the metrics compare samples with.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import numpy as np
import torch

__all__ = ["ImageSet", "ImageSplit", "DequantisedImages", "split_images", "centres"]


@dataclass(frozen=True)
class ImageSet:
    """N images of shape (C, H, W) with integer levels in [0, levels), and labels (N,) or None."""
    name: str
    levels: int
    images: np.ndarray               # (N, C, H, W), integer levels
    labels: Optional[np.ndarray]     # (N,) int, or None
    classes: Tuple[str, ...] = ()    # class names, by label

    def __post_init__(self):
        x = self.images
        if x.ndim != 4 or x.shape[0] < 1:
            raise ValueError(f"{self.name}: images must have shape (N, C, H, W) with N >= 1, got {x.shape}")
        if not np.issubdtype(x.dtype, np.integer) or x.min() < 0 or x.max() >= self.levels:
            raise ValueError(f"{self.name}: images must be integer levels in [0, {self.levels}), got dtype {x.dtype} "
                             f"and range [{x.min()}, {x.max()}]")
        if self.labels is not None and self.labels.shape != (x.shape[0],):
            raise ValueError(f"{self.name}: labels must have shape ({x.shape[0]},), got {self.labels.shape}")

    @property
    def shape(self) -> Tuple[int, int, int]:
        return tuple(self.images.shape[1:])

    @property
    def dim(self) -> int:
        return int(np.prod(self.shape))

    def __len__(self) -> int:
        return self.images.shape[0]

    def subset(self, index: np.ndarray, name: str) -> "ImageSet":
        return ImageSet(name, self.levels, self.images[index], None if self.labels is None else self.labels[index],
                        self.classes)


def centres(images: ImageSet) -> torch.Tensor:
    """The images' cell midpoints 2 (v + 1/2) / L - 1, flattened: (N, D) float32."""
    v = torch.from_numpy(images.images.reshape(len(images), -1).astype(np.float64))
    return (2.0 * (v + 0.5) / images.levels - 1.0).float()


@dataclass(frozen=True)
class ImageSplit:
    """The generative model's training images, and the held-out images: the classifier's training and
    test images (section 7.3's classifier never sees the generative training images)."""
    train: ImageSet
    classifier_train: ImageSet
    classifier_test: ImageSet

    def sizes(self) -> Dict[str, int]:
        return {"train": len(self.train), "classifier_train": len(self.classifier_train),
                "classifier_test": len(self.classifier_test)}


def split_images(images: ImageSet, train_fraction: float, classifier_test_fraction: float,
                 seed: int = 0) -> ImageSplit:
    """A seeded random split: train_fraction of the images for the generative model; of the rest,
    classifier_test_fraction for the classifier's test set and the others for its training."""
    for name, f in (("train_fraction", train_fraction), ("classifier_test_fraction", classifier_test_fraction)):
        if not 0 < f < 1:
            raise ValueError(f"{name} must lie in (0, 1), got {f}")
    n = len(images)
    perm = np.random.default_rng(seed).permutation(n)
    n_train = int(round(train_fraction * n))
    rest = perm[n_train:]
    n_test = int(round(classifier_test_fraction * len(rest)))
    if n_train < 2 or n_test < 1 or len(rest) - n_test < 1:
        raise ValueError(f"{images.name}: {n} images are too few for the split ({train_fraction}, "
                         f"{classifier_test_fraction})")
    return ImageSplit(images.subset(np.sort(perm[:n_train]), f"{images.name}-train"),
                      images.subset(np.sort(rest[n_test:]), f"{images.name}-classifier-train"),
                      images.subset(np.sort(rest[:n_test]), f"{images.name}-classifier-test"))


class DequantisedImages:
    """The training sampler of an ImageSet: `sample(n, generator)` draws n images uniformly with replacement
    and dequantises them, x = 2 (v + u) / L - 1 (module doc); shape (n, D), torch's default dtype."""

    def __init__(self, images: ImageSet):
        self.images, self.name = images, images.name
        self._levels = torch.from_numpy(images.images.reshape(len(images), -1).astype(np.float64))

    @property
    def dim(self) -> int:
        return self.images.dim

    def draw(self, index: torch.Tensor, generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """The images of the given indices, dequantised with fresh u ~ U[0, 1): (len(index), D)."""
        u = torch.rand(len(index), self.dim, generator=generator, dtype=torch.float64)
        return (2.0 * (self._levels[index] + u) / self.images.levels - 1.0).to(torch.get_default_dtype())

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> torch.Tensor:
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        return self.draw(torch.randint(0, len(self.images), (n,), generator=generator), generator)
