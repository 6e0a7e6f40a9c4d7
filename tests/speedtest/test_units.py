"""The pure parts: unit conversions, latency statistics, payloads, counting, the local config."""

from __future__ import annotations

import io
import math
import random
import zlib

import pytest
import speedtest

from app.speedtest.payload import MINI_SIZES, TooSlow, drain, random_chunks
from app.speedtest.plan import Plan, local_config, upload_rounds
from app.speedtest.units import (
    bits_per_s_to_mbps,
    bytes_to_mbps,
    jitter,
    latency_stats,
    median,
    seconds_to_ms,
    window_seconds,
)


def test_bits_per_second_are_decimal_megabits_rounded_to_two_places() -> None:
    assert bits_per_s_to_mbps(0) == 0
    assert bits_per_s_to_mbps(1_000_000) == 1.0
    assert bits_per_s_to_mbps(94_123_456) == 94.12
    assert bits_per_s_to_mbps(1_234_567_890) == 1234.57


def test_bytes_over_seconds() -> None:
    assert bytes_to_mbps(1_250_000, 10) == 1.0  # 10 Mbit in 10 s
    assert bytes_to_mbps(125_000_000, 1) == 1000.0
    with pytest.raises(ValueError):
        bytes_to_mbps(1, 0)


def test_window_is_recovered_from_the_library_rate() -> None:
    assert window_seconds(1_250_000, 1_000_000) == pytest.approx(10.0)
    assert window_seconds(0, 1_000_000) is None
    assert window_seconds(100, 0) is None


def test_seconds_to_milliseconds() -> None:
    assert seconds_to_ms(0.0123456) == 12.35
    assert seconds_to_ms(0) == 0


@pytest.mark.parametrize("bad", [math.inf, math.nan, -1.0])
def test_conversions_refuse_what_is_not_a_measurement(bad: float) -> None:
    with pytest.raises(ValueError):
        bits_per_s_to_mbps(bad)
    with pytest.raises(ValueError):
        seconds_to_ms(bad)


def test_median() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert median([7.5]) == 7.5
    with pytest.raises(ValueError):
        median([])


def test_jitter_is_the_mean_change_between_consecutive_samples() -> None:
    assert jitter([0.010, 0.012, 0.011, 0.015]) == pytest.approx((0.002 + 0.001 + 0.004) / 3)
    assert jitter([0.010]) == 0.0
    assert jitter([0.01] * 5) == 0.0


def test_latency_is_the_minimum_of_the_round_trips() -> None:
    stats = latency_stats([0.020, 0.012, 0.015, 0.030])
    assert stats.latency_ms == 12.0
    assert stats.median_ms == 17.5
    assert stats.jitter_ms == pytest.approx(seconds_to_ms((0.008 + 0.003 + 0.015) / 3))
    assert stats.samples == 4
    with pytest.raises(ValueError):
        latency_stats([])


def test_mini_sizes_are_speedtest_nets() -> None:
    assert list(MINI_SIZES) == [350, 500, 750, 1000, 1500, 2000, 2500, 3000, 3500, 4000]
    assert sum(MINI_SIZES.values()) * 4 == 409_373_932


def test_random_chunks_have_the_exact_size_in_bounded_chunks() -> None:
    for total in (0, 1, 65_535, 65_536, 245_388, 1_000_003):
        chunks = list(random_chunks(total, chunk_size=65_536))
        assert sum(map(len, chunks)) == total
        assert all(0 < len(c) <= 65_536 for c in chunks)


def test_random_chunks_are_incompressible_and_do_not_repeat() -> None:
    body = b"".join(random_chunks(8 * 1024 * 1024, rng=random.Random(5)))
    assert len(zlib.compress(body, 9)) / len(body) > 0.99
    chunks = list(random_chunks(4 * 65_536, rng=random.Random(7)))
    assert len(set(chunks)) == len(chunks)


def test_random_chunks_stop_at_the_deadline() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    chunks = list(random_chunks(10 * 65_536, max_seconds=3.5, clock=clock))
    assert 0 < len(chunks) < 10


def test_drain_counts_and_reports_everything() -> None:
    reports: list[int] = []
    assert drain(io.BytesIO(b"x" * 100_000), max_seconds=60, report=reports.append) == 100_000
    assert sum(reports) == 100_000


def test_drain_reports_what_arrived_before_a_failure() -> None:
    class Broken(io.RawIOBase):
        sent = 0

        def read(self, n: int = -1) -> bytes:
            if self.sent >= 50_000:
                raise ConnectionResetError
            self.sent += 10_000
            return b"x" * 10_000

    reports: list[int] = []
    with pytest.raises(ConnectionResetError):
        drain(Broken(), max_seconds=60, report=reports.append)  # type: ignore[arg-type]
    assert sum(reports) == 50_000


def test_drain_gives_up_on_a_slow_body() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    with pytest.raises(TooSlow):
        drain(io.BytesIO(b"x" * 1_000_000), max_seconds=5, chunk_size=1000, clock=clock)


def test_local_config_has_the_structure_speedtest_get_config_makes() -> None:
    config = local_config(Plan())
    assert set(config) == {
        "client",
        "ignore_servers",
        "sizes",
        "counts",
        "threads",
        "length",
        "upload_max",
    }
    assert config["sizes"]["download"] == [350, 500, 750, 1000, 1500, 2000, 2500, 3000, 3500, 4000]
    assert config["sizes"]["upload"] == [524_288, 1_048_576, 7_340_032]
    assert config["counts"] == {"upload": 17, "download": 8}
    assert config["upload_max"] == 51
    assert config["threads"] == {"upload": 2, "download": 8}
    assert config["length"] == {"upload": 10.0, "download": 10.0}
    assert float(config["client"]["lat"]) == pytest.approx(35.6812)


def test_the_subclass_never_asks_speedtest_net(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.speedtest.runner import LocalConfigSpeedtest

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("speedtest.net was asked for its configuration")

    monkeypatch.setattr(speedtest, "catch_request", refuse)
    st = LocalConfigSpeedtest(Plan(seconds=2), (33.68, 135.35))
    assert st.config["length"]["download"] == 2
    assert st.lat_lon == (33.68, 135.35)
    assert st.results.client["lat"] == "33.68"


def test_upload_rounds_follow_the_measured_download() -> None:
    plan = Plan()
    per_round = sum(plan.upload_sizes)  # 8,912,896 B
    assert upload_rounds(0.0, plan) == 17  # never fewer than the plan's own
    assert upload_rounds(50e6, plan) == 17  # 50 Mbit/s: 94 MB wanted, the plan's 151 MB do
    at_500 = upload_rounds(500e6, plan)  # 937.5 MB wanted
    assert at_500 == 106 and at_500 * per_round >= 500e6 / 8 * plan.seconds * 1.5
    assert upload_rounds(10e9, plan) == 120  # capped
