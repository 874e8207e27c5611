"""Images read from a local folder (for a GPU machine's section 7.3 run on a larger image set, e.g.
CIFAR-10 exported as PNG files); nothing is ever downloaded.

Layouts, checked in this order:
  * `images.npz` in the folder: arrays `images` (N, H, W) or (N, H, W, C) of uint8 and, optionally,
    `labels` (N,) of integers;
  * image files (.png, .jpg, .jpeg, .bmp) in class subfolders (folder/<class>/<file>): labels are the
    subfolders in sorted order;
  * image files directly in the folder: no labels.
Every image must have the same size and channels (8-bit: 256 levels). A missing folder, an empty one or
mixed sizes stop with an error naming the problem.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import numpy as np

from .images import ImageSet

__all__ = ["IMAGE_SUFFIXES", "load_image_folder"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def _files(folder: Path) -> List[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _read(path: Path) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as im:
        if im.mode not in ("L", "RGB"):
            im = im.convert("RGB")
        a = np.asarray(im, dtype=np.uint8)
    return a[:, :, None] if a.ndim == 2 else a


def _stack(name: str, arrays, paths) -> np.ndarray:
    first = arrays[0].shape
    for a, p in zip(arrays, paths):
        if a.shape != first:
            raise ValueError(f"image folder {name}: {p} has shape {a.shape}, the first image {first}; "
                             "every image must have the same size and channels")
    return np.stack(arrays).transpose(0, 3, 1, 2).astype(np.int64)   # (N, C, H, W)


def load_image_folder(folder, limit: Optional[int] = None, name: Optional[str] = None) -> ImageSet:
    """The images of a local folder as an ImageSet (module doc); the first `limit` in sorted order if given."""
    root = Path(folder).expanduser()
    name = name or root.name
    if not root.is_dir():
        raise FileNotFoundError(f"image folder {str(root)!r} does not exist or is not a folder: put the images "
                                "there (nothing is downloaded) or set paper_figures.sec7_3_digits.images.folder")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit}")
    npz = root / "images.npz"
    if npz.is_file():
        with np.load(npz, allow_pickle=False) as f:
            x = f["images"]
            labels = f["labels"].astype(np.int64) if "labels" in f.files else None
        if x.dtype != np.uint8 or x.ndim not in (3, 4):
            raise ValueError(f"{npz}: 'images' must be uint8 of shape (N, H, W) or (N, H, W, C), got {x.dtype} "
                             f"{x.shape}")
        x = x[..., None] if x.ndim == 3 else x
        x = x.transpose(0, 3, 1, 2).astype(np.int64)
        if limit is not None:
            x, labels = x[:limit], None if labels is None else labels[:limit]
        return ImageSet(name, 256, x, labels)
    subfolders = sorted(p for p in root.iterdir() if p.is_dir() and _files(p))
    if subfolders:
        classes = tuple(p.name for p in subfolders)
        paths = [(f, k) for k, p in enumerate(subfolders) for f in _files(p)]
    else:
        classes = ()
        paths = [(f, -1) for f in _files(root)]
    if not paths:
        raise ValueError(f"image folder {str(root)!r} holds no images.npz and no {list(IMAGE_SUFFIXES)} files "
                         "(directly or in class subfolders)")
    if limit is not None:
        paths = paths[:limit]
    images = _stack(str(root), [_read(f) for f, _ in paths], [f for f, _ in paths])
    labels = np.array([k for _, k in paths], dtype=np.int64) if classes else None
    return ImageSet(name, 256, images, labels, classes)
