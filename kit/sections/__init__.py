"""What each stage notebook shows for a scope: sentences, tables and chart data from a Context.

One module per stage: :mod:`mapping` (01), :mod:`internal_nps` (02), :mod:`follow_up` (03).
"""
