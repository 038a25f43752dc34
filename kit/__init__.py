"""Internal-customer analysis kit: stakeholder mapping, internal NPS and follow-up planning.

The package holds all the logic; the notebooks in ``notebooks/`` call it in a few lines each.
Data flows one way: :mod:`kit.data` -> analysis modules -> :mod:`kit.findings` (every figure
any output shows, as tidy data) -> :mod:`kit.sections`, :mod:`kit.widgets`, :mod:`kit.cli` ->
:mod:`kit.report`.
"""

__version__ = "0.1.0"

import sys as _sys

# jsonschema (through nbformat and papermill) imports rfc3987_syntax when it is installed, and
# that module compiles a grammar for over two seconds at import, in every process that reads a
# notebook. Nothing here validates IRIs, so the kit's processes go without it.
_sys.modules.setdefault("rfc3987_syntax", None)
