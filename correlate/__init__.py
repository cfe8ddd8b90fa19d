"""The engine: which events belong together, the root cause, the pattern, the state of each correlation (DESIGN §5).

Pure parts (no I/O): ``scoring``, ``state``, ``patterns``, ``narrative``. Graph adapters: ``engine`` (the live
loop over stored events), ``rootcause``, ``impact``, ``groups``, ``recurrence``; each runs ``cypher/*.cypher``.
"""
