"""Bulk work on a dask.distributed cluster: flat-field, convert, ROI sums.

Pass ``client=`` (a ``dask.distributed.Client``, or ``"local"`` for a
LocalCluster of this machine's cores) to :func:`h5lens.flatfield_stack`,
:func:`h5lens.convert` or :func:`h5lens.roi_sum`. The work is cut into blocks
of whole frames; each task opens its source by name (never a pickled file
handle), reads, computes, and writes its own Zarr chunks or returns its block
to the one process that writes an HDF5 file in order. Outputs appear
atomically, as without a client. Needs the ``h5lens[dask]`` extra.

Notes
-----
Where the time goes (bench/flatfield_dask.py). A 2048² uint16 frame is 8 MB
read and 16 MB of float32 written; between them, a cast and two float32
passes. A task holds about 64 MB of float32 frames (4 such frames), so the
cluster's fixed costs per task (scheduling, about a millisecond; reopening the
HDF5 file and the Zarr metadata, a few more) stay near 1 % of its work, and a
worker's memory is bounded by one task: about 1.5 x 64 MB plus the dark and
flat(s), whatever the stack size. The single-process path is untouched when
``client`` is None (one branch and one ``stat`` of the output name).

Measured (bench/flatfield_dask.py, (400, 2048, 2048) uint16 to Zarr, three
runs on this 2-core machine shared by six developers, load average 9-17
throughout, so spreads are wide; median of medians [min-max]): h5lens /
plain dask.array + to_zarr 1.29x [0.56-1.33] with one worker and 1.22x
[0.30-2.04] with two; two workers / one 1.28x [0.65-1.39] (efficiency 0.64);
worker peak RSS ~370 MB (h5lens) against ~800 MB (plain dask) with one
worker, ~790 against ~890 MB with two. The cluster path was slower than the
single process (0.55x [0.46-0.65] with one worker, 0.76x [0.30-0.83] with
two): the single-process path overlaps its writes with the next block in a
second thread (:class:`~h5lens.tutorial._rawwrite.Pipeline`), a task reads,
corrects and writes in turn. Running each task's blocks
through that same pipeline is the next step.

Model for 32 workers on a shared file system. Per frame a worker needs
``t_c`` seconds (read, cast, correct, write; the 1-worker run measures it:
0.25-0.41 s here under load 10-17, an upper bound) and moves 24 MB (8 in,
16 out). Throughput is ``min(W / t_c, B_read / 8 MB, B_write / 16 MB)``
frames/s, ``B_*`` being the aggregate bandwidths the file system gives all
clients together. The first term grows linearly with W (the tasks share
nothing but the scheduler, about 1 ms per 4-frame task). With t_c = 0.25 s,
32 workers compute 128 frames/s and need ~1 GB/s in and ~2 GB/s out, which a
beamline GPFS/Lustre can give: CPU-bound, up to 32x one worker. On idle cores t_c
drops to a few tens of ms and 32 workers would want ~10 GB/s out: the job
becomes I/O-bound at ``B_write / 16 MB`` (3 GB/s → ~190 frames/s), and more
workers only add contention. Ways to move the bound:
write float16 or compressed Zarr chunks (``compressors=``: the CPU is there
to spare), or keep the output on node-local disk. The HDF5 output is worse
at that scale: every block crosses the network to the single writer, whose
link (~1.2 GB/s on 10 GbE, ~75 frames/s) is the bound whatever W is; use Zarr
there. Zarr chunk files are one or a few per frame, a few hundred file
creations per thousand frames: well within a metadata server's rate. On
file systems without POSIX locks, set ``HDF5_USE_FILE_LOCKING=FALSE`` on the
workers so that 32 readers of one HDF5 file do not wait on each other.
"""
