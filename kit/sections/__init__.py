"""How the packs and notebooks present findings: sentences, charts and tables, as HTML.

One module per stage: :mod:`mapping` (01), :mod:`internal_nps` (02), :mod:`follow_up` (03).
Each function takes a finding of the same stage of :mod:`kit.findings` and the scope, and
computes nothing: it words, draws and lays out what the finding holds.
"""
