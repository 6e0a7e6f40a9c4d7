"""Two network namespaces joined by a veth pair, each end shaped with tc tbf (bench only).

The link exists only between the two namespaces (10.231.x.1/30 on the server side, .2 on the
client side): nothing is added to the host's own namespace, and deleting the namespaces
deletes the veth pair with them.

tbf settings (the kernel here has tbf but no netem, so no delay can be added):
- rate R in tc's units ("mbit" = 1,000,000 bit/s, the same Mbps as the results);
- burst = max(32 KiB, R/250 bytes): at least one HZ tick's worth of bytes at R (HZ=250 here,
  tbf's refill is timer based), never less than ~21 full-size frames, so TCP is not starved
  at low rates; at 5 Mbit/s the bucket is 52 ms of line rate, over a 10 s test a 0.5 % error;
- latency 50 ms: the queue holds R x 50 ms + burst; a real access link's buffer is of that
  order. tbf counts each frame's bytes including the 14-byte Ethernet header, so plain TCP
  goodput tops out near 1448/1514 = 0.956 of R (the ceiling the clients are compared to).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass, field

IP = "ip"
TC = "tc"
BURST_MIN_BYTES = 32 * 1024
HZ = 250


def _run(args: list[str], check: bool = True, timeout: float = 15.0) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def burst_bytes(rate_mbit: float) -> int:
    return max(BURST_MIN_BYTES, int(rate_mbit * 1_000_000 / 8 / HZ))


@dataclass
class Link:
    """wssb-srv-<tag> and wssb-cli-<tag>, joined by veth wssbs<tag> (server) / wssbc<tag>."""

    tag: str = field(default_factory=lambda: str(os.getpid()))
    subnet: int = field(default_factory=lambda: os.getpid() % 250 + 1)
    latency_ms: int = 50
    created: bool = False

    @property
    def srv_ns(self) -> str:
        return f"wssb-srv-{self.tag}"

    @property
    def cli_ns(self) -> str:
        return f"wssb-cli-{self.tag}"

    @property
    def srv_dev(self) -> str:
        return f"wssbs{self.tag}"[:15]

    @property
    def cli_dev(self) -> str:
        return f"wssbc{self.tag}"[:15]

    @property
    def srv_addr(self) -> str:
        return f"10.231.{self.subnet}.1"

    @property
    def cli_addr(self) -> str:
        return f"10.231.{self.subnet}.2"

    def create(self) -> None:
        existing = _run([IP, "netns", "list"])
        for ns in (self.srv_ns, self.cli_ns):
            if ns in existing.split():
                raise RuntimeError(f"namespace {ns} already exists (a bench still running?)")
        self.created = True  # from here on, delete() has something to remove
        _run([IP, "netns", "add", self.srv_ns])
        _run([IP, "netns", "add", self.cli_ns])
        veth = [IP, "link", "add", self.srv_dev, "netns", self.srv_ns, "type", "veth"]
        _run([*veth, "peer", "name", self.cli_dev, "netns", self.cli_ns])
        for ns, dev, addr in (
            (self.srv_ns, self.srv_dev, self.srv_addr),
            (self.cli_ns, self.cli_dev, self.cli_addr),
        ):
            _run([IP, "-n", ns, "link", "set", "lo", "up"])
            _run([IP, "-n", ns, "addr", "add", f"{addr}/30", "dev", dev])
            _run([IP, "-n", ns, "link", "set", dev, "up"])

    def shape(self, rate_mbit: float) -> str:
        """tbf at `rate_mbit` on the egress of both ends (download: server end; upload: client)."""
        burst = burst_bytes(rate_mbit)
        spec = [
            "root",
            "tbf",
            "rate",
            f"{rate_mbit:g}mbit",
            "burst",
            str(burst),
            "latency",
            f"{self.latency_ms}ms",
        ]
        for ns, dev in ((self.srv_ns, self.srv_dev), (self.cli_ns, self.cli_dev)):
            _run([TC, "-n", ns, "qdisc", "replace", "dev", dev, *spec])
        return _run([TC, "-n", self.srv_ns, "qdisc", "show", "dev", self.srv_dev]).strip()

    def exec_args(self, ns: str) -> list[str]:
        return [IP, "netns", "exec", ns]

    def qdisc_stats(self) -> dict[str, str]:
        return {
            dev: _run([TC, "-n", ns, "-s", "qdisc", "show", "dev", dev], check=False).strip()
            for ns, dev in ((self.srv_ns, self.srv_dev), (self.cli_ns, self.cli_dev))
        }

    def delete(self) -> None:
        """Remove both namespaces (and so the veth pair); safe to call more than once."""
        if not self.created:
            return
        for ns in (self.cli_ns, self.srv_ns):
            with contextlib.suppress(Exception):
                _run([IP, "netns", "delete", ns], check=False)
        self.created = False
