"""Image data for the paper's section 7.3 (docs/paper.md): no download anywhere.

  images        ImageSet (integer levels, labels), its seeded split, DequantisedImages (the trainer's sampler)
  digits        scikit-learn's 8 x 8 digits, shipped inside its wheel
  image_folder  images from a local folder (PNG/JPEG files or an images.npz), for a GPU machine
"""
from .digits import DIGITS_LEVELS, load_digits_set
from .image_folder import IMAGE_SUFFIXES, load_image_folder
from .images import DequantisedImages, ImageSet, ImageSplit, centres, split_images

__all__ = ["ImageSet", "ImageSplit", "DequantisedImages", "split_images", "centres", "DIGITS_LEVELS",
           "load_digits_set", "IMAGE_SUFFIXES", "load_image_folder"]
