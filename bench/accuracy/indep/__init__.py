"""A second, independent scenario generator for the accuracy benchmark (its own conventions, names, texts,
timings and rates), so that a change to the engine can be checked against scenarios it was not tuned on.

    apps        the real manifests and call graphs        cluster     the app on nodes, with pods, IPs, configs
    wire        the three input kinds, out of order       symptoms    what failing pods and their callers show
    kinds       the fault kinds                           background  noise where the faults are
    compose     one scenario and its truth                __main__    the command line
"""
