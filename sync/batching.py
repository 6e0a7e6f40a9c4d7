"""Pure helpers of the station client: batches and the retry schedule."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: first, first*factor, ... capped at `cap`, at most `attempts` tries."""

    first_s: float = 0.5
    factor: float = 2.0
    cap_s: float = 30.0
    attempts: int = 8

    def delays(self) -> Iterator[float]:
        """The waits between tries (one fewer than the tries)."""
        delay = self.first_s
        for _ in range(self.attempts - 1):
            yield min(delay, self.cap_s)
            delay *= self.factor


RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def is_retryable(status: int) -> bool:
    return status in RETRYABLE_STATUS
