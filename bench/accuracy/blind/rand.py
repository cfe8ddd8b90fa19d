"""Seeded randomness and the id formats real clusters use (uuid-4 uids, pod-template hashes, pod suffixes).

Why: every byte of a scenario must follow from its seed, so nothing here reads the clock or ``uuid4``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

# The alphabet of Kubernetes' rand.SafeEncodeString (no vowels, no 0/1/3 look-alikes).
SAFE = "bcdfghjklmnpqrstvwxz2456789"


class Rand:
    """A ``random.Random`` with the id helpers the generator needs."""

    def __init__(self, seed: int | str) -> None:
        self.r = random.Random(seed)

    def uid(self) -> str:
        h = f"{self.r.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[self.r.randrange(4)]}{h[17:20]}-{h[20:32]}"

    def hex(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def safe(self, n: int) -> str:
        return "".join(self.r.choice(SAFE) for _ in range(n))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.r.randrange(len(seq))]

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        return self.r.sample(list(seq), min(k, len(seq)))

    def shuffled(self, seq: Sequence[T]) -> list[T]:
        out = list(seq)
        self.r.shuffle(out)
        return out

    def randint(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    def uniform(self, a: float, b: float) -> float:
        return self.r.uniform(a, b)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def child(self, label: str) -> Rand:
        """An independent stream for one part of the scenario, so adding draws in one part never shifts another."""
        return Rand(f"{self.r.getrandbits(64)}:{label}")
