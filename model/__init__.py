"""The shared contracts at the bottom: the normalised event, resource identity, the vocabulary, time, the result.

Every other package may import it; it imports none of them (``tests/test_layers.py``). Pure data and pure
functions only: no I/O, no settings.
"""

__version__ = "0.1.0"
