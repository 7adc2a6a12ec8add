"""The course layer: helpers a trainer and participants use in notebooks.

- :func:`~h5lens.tutorial.imshowmany.imshowmany`: many images in one figure.
- :mod:`~h5lens.tutorial.flatfield`: flat-field correction of a frame or a
  stack in memory; :mod:`~h5lens.tutorial.stack`: of a stack larger than
  memory, block by block (:func:`~h5lens.tutorial.stack.flatfield_stack`).
- :mod:`~h5lens.tutorial.sample_data` (``h5lens.datasets``): small realistic
  sample files and the location of the real course data.

Nothing here imports matplotlib, h5py or fabio at import time.
"""
