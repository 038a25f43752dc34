"""Findings: every figure any output shows, as tidy data, computed once from a scope.

One module per stage: :mod:`~kit.findings.mapping` (01), :mod:`~kit.findings.internal_nps`
(02), :mod:`~kit.findings.follow_up` (03). Each function takes a :class:`~kit.context.Context`
(keyword-only knobs after it) and returns a tidy DataFrame, or a small named tuple of them, with
documented columns and a ``suppressed`` flag wherever a group can be too small. No HTML, no
sentences, no charts here: :mod:`kit.sections` presents findings in the packs, the workshop
widgets and the ``kit`` command read them, and a consultant in JupyterLab explores them::

    from kit.findings import internal_nps as find
    from kit.sections import internal_nps as show

    seg = find.segments(ctx, by="respondent_function")
    show.segments(seg, ctx)
"""

from kit.findings import follow_up, internal_nps, mapping

__all__ = ["mapping", "internal_nps", "follow_up"]
