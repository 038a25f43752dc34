"""The kernel the notebooks of one scope run in, with one client for all of them.

papermill (through nbclient) asks the kernel manager for a new client for every notebook, and a
new client waits for 0.2 s of silence on the kernel's output channel before it counts as ready:
with three notebooks a pack, about 0.7 s of idle each. Here the manager hands every notebook the
same client, connected and checked once, when the kernel starts. What an earlier notebook left
on the channels is harmless: nbclient reads only the replies to its own requests.

The manager is asynchronous, on the thread's event loop that papermill also uses, so a kernel that
dies is noticed while a cell runs. Channels are local sockets (ipc), not TCP ports.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import DottedObjectName, Type

__all__ = ["SharedClient", "ScopeKernelManager", "start", "stop"]


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


def start(cwd: str, sockets: Path, timeout_s: float) -> ScopeKernelManager | None:
    """A started kernel that answered within ``timeout_s``, or None (and nothing left running).

    ``sockets``: a private folder for the channels' socket files (keep its path short)."""
    km = ScopeKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "k"))
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
