"""multivae: a multimodal VAE for paired single-cell RNA + ATAC (10x Multiome).

The one hand-written module of the package: every other module is exported from the notebooks in nbs/.
Layout (as scvi-tools splits it): `defaults` holds every default setting, `data` reads and writes, `datasets`
simulates, `preprocessing` prepares, `module` holds the torch maths, `training` the loop, `model` the user-facing
`MultiVAE`.

Submodules are imported when first used (PEP 562), so that `import multivae` and the command line's `--help`
do not wait for torch and scanpy; `multivae.MultiVAE` brings in `multivae.ondisk` too, which adds
`MultiVAE.from_disk`.
"""
import importlib

__version__ = "0.3.0"

_SUBMODULES = ('defaults', 'data', 'datasets', 'preprocessing', 'module', 'training', 'model', 'ondisk',
               'evaluation', 'visualization', 'cli', 'benchmark')

__all__ = ['MultiVAE', *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f'.{name}', __name__)
    if name == 'MultiVAE':
        importlib.import_module('.ondisk', __name__)  # adds MultiVAE.from_disk
        return importlib.import_module('.model', __name__).MultiVAE
    raise AttributeError(f"module 'multivae' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])
