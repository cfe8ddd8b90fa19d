"""A scenario generator for the accuracy benchmark written blind to the engine and to the other generators.

Why it exists: an engine tuned on one generator's conventions can score well on them and still miss real incidents.
This package invents its own names, message texts, timings and signal mixes from how real clusters and collectors
behave, so the benchmark also measures the engine on incidents it was never tuned on.

Modules: ``rand`` (seeded ids in real formats), ``times`` (time formats as each source writes them), ``app`` (the
real app manifests and call graphs), ``cluster`` (the materialised topology), ``emit`` (the three input shapes and
their arrival order), ``signals`` (what faults show: kubelet, kernel, logs, calls, spans, metrics), ``effects``
(what several faults share: callers' reports, replacement pods), ``incidents_app``, ``incidents_change`` and
``incidents_node`` (the fault families), ``background`` (noise), ``model`` (an incident for the truth file),
``compose`` (one scenario and its truth), ``__main__`` (the command line).
"""
