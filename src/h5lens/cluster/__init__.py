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
passes. Copying the result into the page cache is the biggest single cost,
so a Zarr task runs its frames through the single-process
:class:`~h5lens.tutorial._rawwrite.Pipeline`: blocks of one Zarr chunk in
two reused buffers, a thread writing each finished chunk as a plain file
(:mod:`h5lens.write._zarrraw`, ``os.write`` releases the GIL) while the next
is read and corrected. A task covers about 256 MB of float32 (16 such
frames), so the per-task costs (scheduling, about a millisecond; reopening
the HDF5 file and the Zarr metadata, a few more; the pipeline's unoverlapped
first read and last write) stay small, and a worker's memory is two chunk
buffers, one raw block and the dark and flat(s), whatever the task or stack
size. An HDF5 output comes back block by block (64 MB) to this process, which
writes one block from a thread while it fetches the next. Without a client
nothing changes but one branch (and uncompressed Zarr output writes the same
raw chunk files).

Measured (bench/flatfield_dask.py, (400, 2048, 2048) uint16 to Zarr, three
runs, the configurations taken in turn within a run, on this 2-core machine
shared by six developers, load average 8-12; median of per-run medians
[min-max], frames/s). Output on tmpfs (what the code can do): single process
26.2 [18.6-64.3]; h5lens 1 worker 29.8 [14.1-33.8], 2 workers 58.4
[30.7-58.6]; plain ``dask.array`` + ``to_zarr`` 15.3 [13.5-20.1] and 22.2
[22.1-27.2]. Per-run ratios, median [min-max]: 2 workers / 1 worker 1.96
[1.73-2.17] (efficiency 0.98); h5lens / plain dask 1.69 [0.92-2.21] with one
worker, 2.15 [1.38-2.65] with two; h5lens / single process 0.76 [0.53-1.14]
with one worker, 1.65 [0.91-2.23] with two. Peak resident memory (VmHWM)
per worker 197 MB against 792 MB for plain dask. Output on the local disk
(earlier runs, configurations one after the other, load 11-15): h5lens /
plain dask 2.24 [2.04-5.42] with one worker and 1.24 [0.70-2.52] with two,
but 2 workers / 1 worker 0.47 [0.37-0.63]: 6.7 GB of output per job is more
than the kernel lets stay dirty (20 % of RAM), so writers are held to the
shared virtual disk's writeback rate and a second worker only adds
contention. One worker is not yet as fast as the single process: on a
loaded machine its process gets no more CPU than the single process, and it
pays the per-task ends of the pipeline.

Model for 32 workers on a shared file system. Per frame a worker needs
``t_c`` seconds (read, cast, correct, write; the 1-worker run measures it:
34 ms here under load, 16 ms in the least loaded single-process run) and
moves 24 MB (8 in, 16 out). Throughput is
``min(W / t_c, B_read / 8 MB, B_write / 16 MB)`` frames/s, ``B_*`` being the
aggregate bandwidths the file system gives all clients together. The first
term grows linearly with W (tasks share nothing but the scheduler, about 1 ms
per 16-frame task; measured efficiency 0.98 at W = 2 when the output does not
touch a disk). With t_c = 30 ms, 32 workers would compute ~1000 frames/s and
want ~8 GB/s in and ~16 GB/s out; a beamline GPFS/Lustre gives a few GB/s, so
the job is I/O-bound at ``B_write / 16 MB`` (3 GB/s → ~190 frames/s, reached
by 6-7 workers), and more workers only add contention, as the second worker
writing to this machine's disk did. Ways to move the bound: write float16 or
compressed Zarr chunks (``compressors=``: the CPU is there to spare, but
chunks are then encoded by zarr, not written raw), or keep the output on
node-local disk. The HDF5 output is worse at that scale: every block crosses
the network to the single writer, whose link (~1.2 GB/s on 10 GbE, ~75
frames/s) is the bound whatever W is; use Zarr there. Zarr chunk files are
one or a few per frame, a few hundred file creations per thousand frames:
well within a metadata server's rate. On file systems without POSIX locks,
set ``HDF5_USE_FILE_LOCKING=FALSE`` on the workers so that 32 readers of one
HDF5 file do not wait on each other.
"""
