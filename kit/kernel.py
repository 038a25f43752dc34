"""The kernel the notebooks of one scope run in, with one client for all of them.

papermill (through nbclient) asks the kernel manager for a new client for every notebook, and a
new client waits for 0.2 s of silence on the kernel's output channel before it counts as ready:
with three notebooks a pack, about 0.7 s of idle each. Here the manager hands every notebook the
same client, connected and checked once, when the kernel starts. What an earlier notebook left
on the channels is harmless: nbclient reads only the replies to its own requests.

Each kernel is forked from a template process that has done the imports every stage notebook
does (:class:`Template`, one per worker: pandas, seaborn, IPython and the kit), so a scope's
kernel starts in about half a second with nothing left to import, and is still a process of its
own, used for that scope only. Any kernelspec other than this Python's ipykernel is started as
it says.

The manager is asynchronous, on the thread's event loop that papermill also uses, so a kernel that
dies is noticed while a cell runs. Channels are local sockets (ipc), not TCP ports.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import types
from contextlib import suppress
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import DottedObjectName, Type

__all__ = [
    "SharedClient",
    "ScopeKernelManager",
    "ForkedKernelManager",
    "Template",
    "forkable",
    "start",
    "stop",
    "template",
]


class SharedClient(AsyncKernelClient):
    """A kernel client whose channels are started, and the kernel checked, once."""

    ready = False

    def start_channels(self, *args, **kwargs) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        if not self.ready:
            await super().wait_for_ready(timeout=timeout)
            self.ready = True


class ScopeKernelManager(AsyncKernelManager):
    """A kernel manager whose ``client()`` is always the same :class:`SharedClient`."""

    client_class = DottedObjectName("kit.kernel.SharedClient")
    client_factory = Type(SharedClient, klass=AsyncKernelClient)
    _shared: SharedClient | None = None

    def client(self, **kwargs) -> SharedClient:
        if self._shared is None:
            self._shared = super().client(**kwargs)
        return self._shared


def start(
    cwd: str, sockets: Path, timeout_s: float, *, stderr: str = "", fork: bool = True
) -> ScopeKernelManager | None:
    """A started kernel that answered within ``timeout_s``, or None (and nothing left running).

    ``sockets``: a private folder for the channels' socket files (keep its path short);
    ``stderr``: a file for the kernel's own output streams (default: this process's);
    ``fork``: forked from this process's :class:`Template` (imports done) where it can be."""
    manager = ForkedKernelManager if fork else ScopeKernelManager
    km = manager(kernel_name="python3", transport="ipc", ip=str(sockets / "k"))
    if stderr:
        km.stderr = stderr
    run_sync(km.start_kernel)(cwd=cwd)
    client = km.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=timeout_s)
        return km
    except RuntimeError:  # no answer in time, or died while starting
        stop(km)
        return None


def stop(km: ScopeKernelManager) -> None:
    """Close the client and stop the kernel, whatever state they are in (its process is killed
    if shutting it down failed, e.g. on an event loop left broken by an interruption)."""
    process = getattr(km.provisioner, "process", None)
    if km._shared is not None:
        with suppress(Exception):
            km._shared.stop_channels()
    with suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    log = getattr(km, "log_file", None)
    if log is not None:
        log.close()


# ---------------------------------------------------------------- kernels forked from a template

#: What a kernel of the kit imports anyway, done once per template (Python, pandas, seaborn,
#: matplotlib, IPython, ipykernel and the kit's findings and sections).
PRELOAD = "kit.kernel_template"
_INLINE = "module://matplotlib_inline.backend_inline"
#: Set to 0, kernels are started as the kernelspec says, each importing everything itself.
FORK_ENV = "KIT_KERNEL_FORK"
_LAUNCHER = re.compile(r"^-X\S*$")


def forkable(cmd: list[str]) -> str | None:
    """The connection file of a kernel command that starts this Python's own ipykernel
    (``python [-X...] -m ipykernel_launcher -f FILE``), or None for any other command: a
    kernelspec that starts something else is started as it says."""
    if len(cmd) < 5 or os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        return None
    rest = [a for a in cmd[1:] if not _LAUNCHER.match(a)]
    if rest[:3] != ["-m", "ipykernel_launcher", "-f"] or len(rest) != 4:
        return None
    return rest[3]


class _Forked:
    """A forked kernel seen as a ``Popen`` by jupyter_client's provisioner."""

    stdin = stdout = stderr = None

    def __init__(self, process) -> None:
        self.process, self.pid = process, process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self.process.join(timeout)
        return self.process.exitcode

    def send_signal(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _kernel_main(connection_file: str, cwd: str, env: dict, stderr: str, path: list) -> None:
    """In a child of the template: become the kernel ``python -m ipykernel_launcher -f
    connection_file`` would be (its own session, environment, folder, import path)."""
    os.setsid()
    out = os.open(stderr or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.path[:] = path
    sys.argv = [sys.executable, "-f", connection_file]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=["-f", connection_file])


class Template:
    """A process that has imported what every kernel imports, from which each kernel is
    forked (copy-on-write): a scope's kernel starts with the imports done, and is still a
    process of its own, used for one scope only. ``start_kernel`` forks one."""

    def __init__(self) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload([PRELOAD])
        fresh = subprocess.run(  # a new interpreter's import path (a kernel's, less its folder)
            [sys.executable, "-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
            capture_output=True,
            text=True,
            check=True,
        )
        self.path = json.loads(fresh.stdout)

    def start_kernel(self, connection_file: str, *, cwd: str, env: dict, stderr: str) -> _Forked:
        env = {**env, "MPLBACKEND": env.get("MPLBACKEND", _INLINE)}
        process = self.context.Process(
            target=_kernel_main,
            args=(connection_file, cwd, env, stderr, list(self.path)),
            name="kit-kernel",
        )
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")  # not re-run in the kernel
        try:
            process.start()
        finally:
            sys.modules["__main__"] = main
        return _Forked(process)


_TEMPLATE: Template | None = None


def template() -> Template | None:
    """This process's template, started on first use; None where processes may not start
    children of their own (a daemonic worker, e.g. a Dask worker left at its default
    ``distributed.worker.daemon: true``), or with ``KIT_KERNEL_FORK=0``: kernels are then
    started as the kernelspec says."""
    import multiprocessing

    global _TEMPLATE
    if os.environ.get(FORK_ENV) == "0":
        return None
    if _TEMPLATE is None and not multiprocessing.current_process().daemon:
        _TEMPLATE = Template()
    return _TEMPLATE


class ForkedKernelManager(ScopeKernelManager):
    """A :class:`ScopeKernelManager` whose kernel is forked from :func:`template` when the
    kernelspec starts this Python's ipykernel (the kit's ``python3``); any other kernelspec is
    started as usual. ``stderr``: where the kernel's output streams go (a file)."""

    stderr = ""
    log_file = None  # the open ``stderr`` of a kernel started as the kernelspec says

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        connection_file = forkable(kernel_cmd)
        forks = template() if connection_file else None
        if forks is None:
            if self.stderr and self.log_file is None:
                self.log_file = open(self.stderr, "ab")  # noqa: SIM115 - closed by stop()
            if self.log_file is not None:
                kw["stderr"] = kw["stdout"] = self.log_file
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        provisioner = self.provisioner
        process = forks.start_kernel(
            connection_file, cwd=str(kw.get("cwd") or os.getcwd()), env=kw["env"],
            stderr=self.stderr,
        )  # fmt: skip
        provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
        provisioner.cwd = kw.get("cwd")
        self._reconcile_connection_info(provisioner.connection_info)
