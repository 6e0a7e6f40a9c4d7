"""Plain TCP goodput between the bench's namespaces: the ceiling the speed tests are held to.

    speed_tcp.py recv --bind ADDR --port P [--streams N] [--warmup 1] [--seconds 8]
    speed_tcp.py send --to ADDR --port P [--streams N] [--seconds 12]

The receiver listens, accepts N connections, discards the first `warmup` seconds after the
first byte (slow start), then counts for `seconds` and prints JSON {"bytes", "seconds",
"mbps", "app_bytes", "app_mbps"}. "bytes" is the kernel's count of payload bytes received in
order (TCP_INFO tcpi_bytes_received, read at both ends of the window): the truth, whatever the
receiving process's scheduling. "app_bytes" is what the process read in the window, which also
includes what sat unread in the socket buffer when the window opened (on a loaded machine a
few % more than arrived: the error a client counting at application level can make). The
sender writes incompressible bytes until the receiver closes or its own time is up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import socket
import struct
import sys
import time

BUFFER = 256 * 1024
TCPI_BYTES_RECEIVED = 128  # offset of the u64 tcpi_bytes_received in Linux's struct tcp_info


def kernel_received(conns: list[socket.socket]) -> int:
    total = 0
    for conn in conns:
        info = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        total += struct.unpack_from("Q", info, TCPI_BYTES_RECEIVED)[0]
    return total


def receive(args: argparse.Namespace) -> dict[str, float]:
    listener = socket.create_server((args.bind, args.port), backlog=args.streams)
    listener.settimeout(args.accept_timeout)
    conns: list[socket.socket] = []
    try:
        for _ in range(args.streams):
            conn, _ = listener.accept()
            conn.setblocking(False)
            conns.append(conn)
        selector = selectors.DefaultSelector()
        for conn in conns:
            selector.register(conn, selectors.EVENT_READ)
        buffer = bytearray(BUFFER)
        first = counted_from = None
        counted = kernel_from = kernel_to = 0
        hard_stop = time.monotonic() + args.warmup + args.seconds + args.accept_timeout
        while time.monotonic() < hard_stop:
            events = selector.select(timeout=0.5)
            now = time.monotonic()
            if first is None and events:
                first = now
            if counted_from is None and first is not None and now - first >= args.warmup:
                kernel_from = kernel_received(conns)
                counted_from, counted = time.monotonic(), 0
            if counted_from is not None and now - counted_from >= args.seconds:
                kernel_to = kernel_received(conns)
                break
            for key, _ in events:
                n = key.fileobj.recv_into(buffer)  # type: ignore[union-attr]
                if n == 0:
                    selector.unregister(key.fileobj)
                counted += n
            if not selector.get_map():
                kernel_to = kernel_received(conns)
                break
        ended = time.monotonic()
        if counted_from is None:
            return {"bytes": 0, "seconds": 0.0, "mbps": 0.0}
        seconds = ended - counted_from
        kernel = kernel_to - kernel_from
        return {
            "bytes": kernel,
            "seconds": round(seconds, 3),
            "mbps": kernel * 8 / seconds / 1e6,
            "app_bytes": counted,
            "app_mbps": counted * 8 / seconds / 1e6,
        }
    finally:
        for conn in conns:
            conn.close()
        listener.close()


def send(args: argparse.Namespace) -> dict[str, float]:
    payload = os.urandom(BUFFER)
    conns = []
    deadline = time.monotonic() + args.connect_timeout
    while len(conns) < args.streams:
        try:
            conns.append(socket.create_connection((args.to, args.port), timeout=2))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    for conn in conns:
        conn.setblocking(False)
    selector = selectors.DefaultSelector()
    for conn in conns:
        selector.register(conn, selectors.EVENT_WRITE)
    sent = 0
    stop = time.monotonic() + args.seconds
    view = memoryview(payload)
    while time.monotonic() < stop and selector.get_map():
        for key, _ in selector.select(timeout=0.5):
            try:
                sent += key.fileobj.send(view)  # type: ignore[union-attr]
            except (BrokenPipeError, ConnectionResetError):
                selector.unregister(key.fileobj)
            except BlockingIOError:
                pass
    for conn in conns:
        with contextlib.suppress(OSError):
            conn.close()
    return {"sent_bytes": sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("recv", "send"))
    parser.add_argument("--bind", help="the address to listen on (recv)")
    parser.add_argument("--to")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--accept-timeout", type=float, default=10.0)
    parser.add_argument("--connect-timeout", type=float, default=10.0)
    args = parser.parse_args()
    result = receive(args) if args.mode == "recv" else send(args)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
