from __future__ import annotations

import pytest

from sync.batching import Backoff, batches, is_retryable


def test_batches_cover_everything_in_order():
    items = list(range(250))
    chunks = list(batches(items, 100))
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [x for c in chunks for x in c] == items
    assert list(batches([], 100)) == []
    with pytest.raises(ValueError):
        list(batches(items, 0))


def test_backoff_grows_and_is_capped_and_bounded():
    assert list(Backoff(0.5, 2, 3, 6).delays()) == [0.5, 1, 2, 3, 3]
    assert list(Backoff(attempts=1).delays()) == []


def test_retryable_statuses():
    assert is_retryable(503) and is_retryable(429)
    assert not is_retryable(409) and not is_retryable(422) and not is_retryable(401)
