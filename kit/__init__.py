"""Internal-customer analysis kit: stakeholder mapping, internal NPS and follow-up planning.

The package holds all the logic; the notebooks in ``notebooks/`` call it in a few lines each.
Data flows one way: :mod:`kit.data` -> analysis modules -> :mod:`kit.plots` / :mod:`kit.report`.
"""

__version__ = "0.1.0"
