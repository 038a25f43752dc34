"""Imported once by the kernel template (:class:`kit.kernel.Template`) before it forks the
kernels of a batch: what every stage notebook's kernel imports anyway, so that each scope's
kernel starts with it done. Nothing here runs or reads data: importing only."""

import os

# As ipykernel sets it when a kernel starts: matplotlib reads it when first imported.
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

import ipykernel.ipkernel  # noqa: E402, F401
import ipykernel.kernelapp  # noqa: E402, F401
import IPython  # noqa: E402, F401
import matplotlib.pyplot  # noqa: E402, F401
import pandas  # noqa: E402, F401
import seaborn  # noqa: E402, F401

import kit.context  # noqa: E402, F401
import kit.findings.follow_up  # noqa: E402, F401
import kit.findings.internal_nps  # noqa: E402, F401
import kit.findings.mapping  # noqa: E402, F401
import kit.findings.summary  # noqa: E402, F401
import kit.plots  # noqa: E402, F401
import kit.sections.follow_up  # noqa: E402, F401
import kit.sections.internal_nps  # noqa: E402, F401
import kit.sections.mapping  # noqa: E402, F401
import kit.sections.summary  # noqa: E402, F401
