"""multivae: a multimodal VAE for paired single-cell RNA + ATAC (10x Multiome).

The one hand-written module of the package: every other module is exported from the notebooks in nbs/.
"""
__version__ = "0.3.0"

from . import data, preprocessing, model, training, ondisk, evaluation, visualization  # ondisk adds MultiVAE.from_disk
from .training import MultiVAE

__all__ = ['MultiVAE', 'data', 'preprocessing', 'model', 'training', 'ondisk', 'evaluation', 'visualization']
