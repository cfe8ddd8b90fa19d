"""A scenario generator for the accuracy benchmark written blind to the engine and to the other generators.

Why it exists: an engine tuned on one generator's conventions can score well on them and still miss real incidents.
This package invents its own names, message texts, timings and signal mixes from how real clusters and collectors
behave, so the benchmark also measures the engine on incidents it was never tuned on.

Modules: ``rand`` (seeded ids), ``app`` (the real app manifests), ``cluster`` (the materialised topology),
``emit`` (the three input shapes), ``kube`` (Kubernetes Event texts), ``signals`` (collector event texts),
``incidents_*`` (one module per family of faults), ``background`` (noise), ``compose`` (one scenario and its truth),
``__main__`` (the command line).
"""
