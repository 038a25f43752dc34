"""The pool a batch runs its scopes on: this machine's processes, or a Dask cluster's workers.

``kit report --cluster ADDRESS`` sends each scope to a worker of a Dask distributed cluster
(``distributed.Client(ADDRESS)``: a scheduler started with ``dask scheduler``, dask-jobqueue's
``SLURMCluster`` or PBS, dask-kubernetes); ``--cluster local:N`` starts a ``LocalCluster`` of
N worker processes on this machine. Only the pool changes: each worker builds its scope exactly
as a local worker does (:func:`kit.report.build_remote`: notebooks run, HTML rendered, deck
written, in a staging folder beside the packs), and the batch's own process keeps the rest:
validation and the disclosure audit before anything runs, the lock on the reports folder, the
PDFs (one browser, here), the manifests, the quarantine and the atomic publish.

So the reports folder (``--out``) must be one folder every worker sees at the same path (a
shared file system: NFS, Lustre, GPFS), as must the engagement's data folder and the notebooks.
Before any scope is sent, every worker is asked what it sees (:meth:`DaskPool.check`): the same
data (sha256 of every file), the same kit and package versions, a writable reports folder and
one scope at a time per worker (``--nthreads 1``); any difference stops the batch, naming the
worker and what it lacks.

Example
-------
>>> with pool(None, 2, tasks=3, shared=Path("/tmp")) as runner:  # doctest: +SKIP
...     future = runner.submit(task)
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kit.data import SHARED_ENV, file_hashes
from kit.errors import KitError

__all__ = ["ClusterError", "DaskPool", "connect", "pool", "worker_view"]

#: ``--cluster local:N``: a LocalCluster of N worker processes on this machine.
LOCAL = "local:"


class ClusterError(KitError):
    """The cluster cannot be reached, or a worker cannot build packs as this machine would."""


@contextlib.contextmanager
def pool(cluster: str | None, jobs: int | None, *, tasks: int, shared: Path) -> Iterator:
    """The pool for ``tasks`` scopes: ``jobs`` local processes (default: one per core), or the
    Dask cluster at ``cluster`` (``local:N`` for a local one). ``shared``: the folder of the
    batch's validated data (:func:`kit.data.shared_validation`)."""
    from kit.report import LocalPool

    if not cluster:
        with LocalPool(max(1, min(jobs or os.cpu_count() or 1, tasks))) as local:
            yield local
        return
    with connect(cluster) as client, DaskPool(client, shared) as dask_pool:
        yield dask_pool


@contextlib.contextmanager
def connect(address: str) -> Iterator:
    """A ``distributed.Client`` of the scheduler at ``address``, or of a ``LocalCluster``
    started here for ``local:N`` (N worker processes, one scope at a time each, listening on
    127.0.0.1 only, closed with the client)."""
    import dask
    from distributed import Client, LocalCluster

    if address.startswith(LOCAL):
        count = address[len(LOCAL) :]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {address}: say how many worker processes, e.g. local:2")
        # Non-daemonic workers may start processes of their own: each scope's kernel is forked
        # from the worker's template (kit.kernel.Template), the imports done once per worker.
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(
                n_workers=int(count),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout="30s")
    except (OSError, ValueError, TimeoutError) as exc:
        raise ClusterError(
            f"--cluster {address}: no Dask scheduler answered ({type(exc).__name__}: {exc}). "
            "Start one (`dask scheduler`) and its workers (`dask worker ADDRESS --nthreads 1`), "
            "and give the address it prints, e.g. tcp://10.0.0.5:8786."
        ) from exc
    with client:
        yield client


def worker_view(paths: dict[str, list[str]], out_roots: list[str], dask_worker=None) -> dict:
    """Run on each worker: what it sees of an engagement's files (sha256 by path, or
    "missing"), whether it can write each reports folder, the kit's and packages' versions,
    and how many scopes it runs at once."""

    from kit.report import _versions

    seen = {folder: file_hashes_of(Path(folder), names) for folder, names in paths.items()}
    writable = {}
    for root in out_roots:
        try:
            Path(root).mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=root, prefix=".tmp-probe-"):
                pass
            writable[root] = ""
        except OSError as exc:
            writable[root] = exc.strerror or str(exc)
    return {
        "files": seen,
        "writable": writable,
        "versions": _versions(),
        "nthreads": dask_worker.state.nthreads if dask_worker is not None else 1,
    }


class DaskPool:
    """The scopes run as tasks of a Dask cluster (one task per scope, any worker), the batch's
    validated data copied once beside each reports folder for the workers to read."""

    def __init__(self, client, shared: Path) -> None:
        self.client, self.shared = client, shared
        self.copies: dict[Path, Path] = {}
        self.futures: list = []

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc) -> None:
        for copy in self.copies.values():
            shutil.rmtree(copy, ignore_errors=True)

    def env(self, env: tuple, root: Path) -> tuple:
        """The task's settings, with its validated data where the workers see it: a private
        copy under ``root`` (``.tmp-validated-*``: removed at the end, or by the next batch)."""
        if root not in self.copies:
            copy = Path(tempfile.mkdtemp(prefix=".tmp-validated-", dir=root))
            for path in self.shared.iterdir():
                shutil.copy2(path, copy / path.name)
            self.copies[root] = copy
        return tuple((k, str(self.copies[root]) if k == SHARED_ENV else v) for k, v in env)

    def check(self, plans) -> None:
        """Stop before anything runs if a worker does not see what this machine sees."""
        from kit.report import STAGES, _versions

        expected: dict[str, dict[str, str]] = {}
        for p in plans:
            expected[str(p.cfg.data_dir)] = file_hashes(p.cfg.data_dir)
            notebooks = Path(p.tasks[0].notebooks_dir)
            expected[str(notebooks)] = file_hashes_of(notebooks, [n for n, _ in STAGES])
            elsewhere = [Path(p.cfg.path)]  # and a touchpoint log kept outside the data
            elsewhere += [Path(p.cfg.touchpoints_file)] if p.cfg.touchpoints_file else []
            for path in elsewhere:
                expected.setdefault(str(path.parent), {})
                expected[str(path.parent)] |= file_hashes_of(path.parent, [path.name])
        roots = [str(p.root) for p in plans]
        views = self.client.run(worker_view, {k: sorted(v) for k, v in expected.items()}, roots)
        if not views:
            raise ClusterError("the Dask cluster has no workers; start some, then run again")
        mine, problems = _versions(), []
        for worker, view in sorted(views.items()):
            for folder, names in expected.items():
                differ = [n for n, h in names.items() if view["files"][folder][n] != h]
                missing = [n for n in differ if view["files"][folder][n] == "missing"]
                if missing:
                    problems.append(f"{worker} cannot see {', '.join(missing)} in {folder}")
                if set(differ) - set(missing):
                    changed = ", ".join(sorted(set(differ) - set(missing)))
                    problems.append(f"{worker} sees other contents of {changed} in {folder}")
            problems += [
                f"{worker} cannot write the reports folder {root} ({why})"
                for root, why in view["writable"].items()
                if why
            ]
            versions = [
                f"{k} {view['versions'].get(k)} (here {v})"
                for k, v in mine.items()
                if view["versions"].get(k) != v
            ]
            if versions:
                problems.append(f"{worker} runs other versions: {', '.join(versions)}")
            if view["nthreads"] != 1:
                problems.append(
                    f"{worker} runs {view['nthreads']} tasks at once; a worker builds one scope "
                    "at a time (start workers with --nthreads 1 and --nworkers N)"
                )
        if problems:
            raise ClusterError(
                "the cluster's workers cannot build these packs as this machine would:\n  "
                + "\n  ".join(problems)
                + "\nThe data folder, the notebooks and --out must be on a file system every "
                "worker sees at the same path, with the kit installed alike (requirements.lock)."
            )

    def submit(self, task):
        from kit.report import build_remote

        future = self.client.submit(build_remote, task, pure=False)
        self.futures.append(future)
        return future

    def as_completed(self, futures):
        from distributed import as_completed

        return as_completed(list(futures))

    def finishing(self) -> None:
        pass

    def stop(self, roots: list[Path]) -> None:
        """Interrupted: no scope starts; the running ones finish on their workers, unpublished
        (their staging folders are removed here, or by the next batch)."""
        with contextlib.suppress(Exception):
            self.client.cancel(self.futures)
        for root in roots:
            for staging in root.glob(".tmp-*"):
                shutil.rmtree(staging, ignore_errors=True)


def file_hashes_of(folder: Path, names: list[str]) -> dict[str, str]:
    """sha256 of the named files of ``folder`` ("missing" for one that is not there)."""
    import hashlib

    out = {}
    for name in names:
        path = Path(folder) / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    return out
