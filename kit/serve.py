"""``kit workshop``: serve the workshop notebook with Voilà on this machine, code hidden.

The notebook is parameterised (papermill) into a temporary folder and Voilà serves that copy on
127.0.0.1 only; nothing listens beyond this machine. The copy is the presenter's: its Markdown
cells tagged ``facilitator-notes`` are taken out of the page and handed to the workshop widget,
which keeps them behind a "Facilitator notes" toggle (JupyterLab shows them as cells), and the
widget sizes itself from the screen (``presenter=True``). Ctrl-C stops Voilà and its kernels and
removes the temporary copy.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from kit.config import NOTEBOOKS_DIR

__all__ = [
    "WORKSHOP_NOTEBOOK",
    "NOTES_TAG",
    "free_port",
    "facilitator_notes",
    "prepare",
    "voila_command",
    "serve",
]

WORKSHOP_NOTEBOOK = NOTEBOOKS_DIR / "04_workshop.ipynb"
HOST = "127.0.0.1"
#: Markdown cells with this tag are for the facilitator, not the room.
NOTES_TAG = "facilitator-notes"
#: The page may load and connect to this server only: no CDN, no other host.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' ws://{host}:{port}; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def free_port(preferred: int = 8866) -> int:
    """``preferred`` if nothing listens there, otherwise a free port chosen by the system."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


def facilitator_notes(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, str]:
    """The notebook without its Markdown cells tagged ``facilitator-notes`` (a copy), and
    those cells' text joined, in order."""
    nb = nbformat.from_dict(nb)
    tagged = [
        c for c in nb.cells if c.cell_type == "markdown" and NOTES_TAG in c.metadata.get("tags", [])
    ]
    nb.cells = [c for c in nb.cells if c not in tagged]
    return nb, "\n\n".join(c.source.strip() for c in tagged)


def prepare(
    config: Path | str, folder: Path, *, port: int, wave: str = "", min_group_size: int = 0
) -> Path:
    """Write the workshop notebook with these parameters into ``folder``, and the Voilà
    settings (``voila.json``: the content security policy) beside it; return its path.
    The copy is the presenter's: facilitator notes behind a toggle, sized for a projector."""
    settings = {
        "Voila": {
            "tornado_settings": {
                "headers": {"Content-Security-Policy": CSP.format(host=HOST, port=port)}
            }
        }
    }
    (folder / "voila.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    nb, notes = facilitator_notes(load_notebook_node(str(WORKSHOP_NOTEBOOK)))
    params = {
        "config": str(Path(config).resolve()),
        "wave": str(wave),
        "min_group_size": int(min_group_size),
        "presenter": True,
        "notes": notes,
    }
    out = folder / "workshop.ipynb"
    nbformat.write(parameterize_notebook(nb, params), out)
    return out


def voila_command(notebook: Path, port: int) -> list[str]:
    """Voilà on 127.0.0.1:``port`` only, sources stripped, no browser opened, no other port."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        "--strip_sources=True",
        "--theme=light",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--Voila.ip={HOST}",
    ]


def _wait_listening(proc: subprocess.Popen, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Voilà stopped at start (exit code {proc.returncode})")
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"Voilà did not answer on port {port} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM (Voilà shuts its kernels down), then kill the whole group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve(
    config: Path | str,
    *,
    port: int = 8866,
    wave: str = "",
    min_group_size: int = 0,
    start_timeout: float = 60,
) -> int:
    """Serve the workshop until Ctrl-C (or SIGTERM); print the address once it answers."""
    from kit.context import open_engagement

    open_engagement(config, wave=wave, min_group_size=min_group_size)  # errors here, not later
    port = free_port(port)
    with (
        tempfile.TemporaryDirectory(prefix="kit-workshop-") as tmp,
        open(Path(tmp) / "voila.log", "w+b") as log,
    ):
        notebook = prepare(config, Path(tmp), port=port, wave=wave, min_group_size=min_group_size)
        proc = subprocess.Popen(
            voila_command(notebook, port),
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop Voilà in order
        )

        def tail() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-2000:]

        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            _wait_listening(proc, port, start_timeout)
            print(f"Workshop running: http://{HOST}:{port}/  (Ctrl-C to stop)", flush=True)
            proc.wait()
            print(f"Voilà stopped by itself:\n{tail()}", file=sys.stderr)
            return proc.returncode or 1
        except KeyboardInterrupt:
            print("Stopping the workshop...", flush=True)
            return 0
        except (RuntimeError, TimeoutError) as exc:
            print(f"{exc}\n{tail()}", file=sys.stderr)
            return 1
        finally:
            _stop(proc)
            signal.signal(signal.SIGTERM, previous)
            print("Workshop stopped.", flush=True)
