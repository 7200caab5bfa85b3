"""multivae: a multimodal VAE for paired single-cell RNA + ATAC (10x Multiome).

The one hand-written module of the package: every other module is exported from the notebooks in nbs/.
Layout (as scvi-tools splits it): `data` reads and writes, `datasets` simulates, `preprocessing` prepares,
`module` holds the torch maths, `training` the loop, `model` the user-facing `MultiVAE`.
"""
__version__ = "0.3.0"

from . import data, datasets, preprocessing, module, training, model, ondisk, evaluation, visualization  # ondisk adds MultiVAE.from_disk
from .model import MultiVAE

__all__ = ['MultiVAE', 'data', 'datasets', 'preprocessing', 'module', 'training', 'model', 'ondisk', 'evaluation',
           'visualization']
