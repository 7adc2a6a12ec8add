"""Build trees in memory, write them atomically, convert images and SPEC to HDF5/NeXus.

:class:`~.builder.TreeBuilder` describes a tree and writes it through
:mod:`.atomic`; :func:`~.convert.convert` turns EDF/CBF/TIFF/SPEC files into
one NeXus file. Nothing here is imported by ``import h5lens`` until used.
"""

from .atomic import atomic_h5, atomic_path
from .builder import ExternalLink, SoftLink, TreeBuilder
from .validate import ValidationError
from .written import Written

__all__ = ["ExternalLink", "SoftLink", "TreeBuilder", "ValidationError", "Written", "atomic_h5", "atomic_path"]
