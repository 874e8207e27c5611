"""sibench.data: the digits from scikit-learn's wheel, the seeded split, the dequantised sampler, and the local
image-folder loader (on tiny folders written here)."""
import numpy as np
import pytest
import torch

from sibench.data import DequantisedImages, ImageSet, centres, load_digits_set, load_image_folder, split_images


def test_digits_are_the_1797_scikit_learn_images():
    d = load_digits_set()
    assert len(d) == 1797 and d.shape == (1, 8, 8) and d.dim == 64 and d.levels == 17
    assert d.images.min() == 0 and d.images.max() == 16
    assert np.bincount(d.labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_split_is_disjoint_seeded_and_complete():
    d = load_digits_set()
    a, b = split_images(d, 0.6, 0.4, seed=3), split_images(d, 0.6, 0.4, seed=3)
    assert a.sizes() == {"train": 1078, "classifier_train": 431, "classifier_test": 288}
    assert np.array_equal(a.train.images, b.train.images)
    rows = lambda s: sorted(x.tobytes() + bytes([int(y)]) for x, y in zip(s.images, s.labels))  # noqa: E731
    # the three parts together are the whole set (as a multiset: the digits hold a few duplicate images)
    assert sorted(rows(a.train) + rows(a.classifier_train) + rows(a.classifier_test)) == rows(d)
    assert not np.array_equal(split_images(d, 0.6, 0.4, seed=4).train.images, a.train.images)
    with pytest.raises(ValueError, match="train_fraction"):
        split_images(d, 1.0, 0.4)


def test_dequantised_images_average_to_the_cell_centres():
    # one image, n = 20000 draws: each pixel is 2 (v + u) / 17 - 1 with u ~ U[0, 1), mean 2 (v + 1/2) / 17 - 1 and
    # sd (2 / 17) / sqrt(12) = 0.034 per draw; the mean's sd is 2.4e-4, tolerance 1.5e-3 (6 sd) for all 64 pixels.
    d = load_digits_set().subset(np.array([5]), "one")
    x = DequantisedImages(d).sample(20000, generator=torch.Generator().manual_seed(0)).double()
    assert x.min() >= -1 and x.max() < 1
    assert torch.allclose(x.mean(0), centres(d)[0].double(), atol=1.5e-3)
    assert (x.max(0).values - x.min(0).values).max() < 2 / 17 + 1e-6   # never leaves the pixel's cell


def _png(path, array):
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_image_folder_with_class_subfolders_flat_and_npz(tmp_path):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(5, 4, 3, 3), dtype=np.uint8)          # RGB 4 x 3
    for k, a in enumerate(imgs):
        _png(tmp_path / "cls" / ("cat" if k < 2 else "dog") / f"{k}.png", a)
    s = load_image_folder(tmp_path / "cls")
    assert s.shape == (3, 4, 3) and s.levels == 256 and s.classes == ("cat", "dog")
    assert s.labels.tolist() == [0, 0, 1, 1, 1]
    assert np.array_equal(s.images[0], imgs[0].transpose(2, 0, 1))
    for k, a in enumerate(imgs[:, :, :, 0]):                                  # grey, no classes
        _png(tmp_path / "flat" / f"{k}.png", a)
    f = load_image_folder(tmp_path / "flat", limit=3)
    assert f.shape == (1, 4, 3) and len(f) == 3 and f.labels is None
    (tmp_path / "npz").mkdir()
    np.savez(tmp_path / "npz" / "images.npz", images=imgs, labels=np.arange(5))
    z = load_image_folder(tmp_path / "npz")
    assert z.shape == (3, 4, 3) and z.labels.tolist() == [0, 1, 2, 3, 4]


def test_image_folder_refuses_missing_empty_and_mixed(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist.*nothing is downloaded"):
        load_image_folder(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no images"):
        load_image_folder(tmp_path / "empty")
    _png(tmp_path / "mixed" / "a.png", np.zeros((4, 4), np.uint8))
    _png(tmp_path / "mixed" / "b.png", np.zeros((5, 4), np.uint8))
    with pytest.raises(ValueError, match="same size"):
        load_image_folder(tmp_path / "mixed")


def test_image_set_checks_its_levels():
    with pytest.raises(ValueError, match="integer levels"):
        ImageSet("x", 17, np.full((2, 1, 2, 2), 17), None)
