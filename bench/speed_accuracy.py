"""Accuracy of the speed tests against a known link (issue #5): measured / shaped rate.

Usage (as root: it makes network namespaces):
    .venv/bin/python bench/speed_accuracy.py [--rates 5,20,100,500] [--seconds 10]
        [--repeat 1] [--only tcp,cli,browser[,trace]] [--workers 1] [--threads 32] [--json]
        [--json-out FILE] [--server-log FILE] [--cli-upload-max N] [--cli-download-per-size N]

Two network namespaces (wssb-srv-<pid>, wssb-cli-<pid>) joined by a veth pair with addresses
only inside them (10.231.x.1/30 server, .2 client), both directions shaped with tc tbf at each
rate (see bench/speed_netns.py for burst and latency). In the server namespace: the app under
gunicorn (gthread by default; a temporary instance folder, SQLite, the speed test limits
raised for the bench; with --workers > 1 a private redis-server there holds the limiter and
run counters).
In the client namespace, for each rate:
- tcp: plain TCP goodput of --tcp-streams (4) connections, counted by the receiving kernel
  (tcp_info) over --seconds after a 1 s warm-up: the ceiling (about 0.956: headers);
- cli: app.speedtest.runner.measure_own_server (what `flask speedtest --server` runs:
  speedtest-cli's download, upload by the server's count), plus the library's own upload
  count (bench/speed_cli_client.py); --cli-upload-max/--cli-download-per-size try other Plans;
- browser: headless Chromium importing static/js/speedtest.js from a page of the app
  (bench/speed_browser_client.py);
- trace (diagnostic, not in the default set): the browser test again, with the bytes
  JavaScript read and the bytes the client's kernel received over the module's own window
  (bench/speed_browser_trace.py).
Prints measured/shaped per direction (median of --repeat runs, range when more than one) and
writes the table to /tmp/speed_accuracy_results.txt. Everything it creates is removed at the
end, also on errors and on SIGINT/SIGTERM/SIGHUP.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from speed_netns import Link, burst_bytes  # noqa: E402

VENV = ROOT / ".venv" / "bin"
PYTHON = str(VENV / "python")
APP_PORT = 8000
TCP_PORT = 5201
REDIS_PORT = 6390
GOAL = (0.90, 1.00)
BROWSER_MODULE = ROOT / "static" / "js" / "speedtest.js"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes and cleanup


@dataclass
class Bench:
    link: Link
    workdir: Path
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    def start(self, args: list[str], env: dict[str, str] | None = None, **kw: Any) -> Any:
        proc = subprocess.Popen(
            args,
            env=env,
            stdout=kw.pop("stdout", subprocess.PIPE),
            stderr=kw.pop("stderr", subprocess.PIPE),
            text=True,
            start_new_session=True,  # its own process group: stopped with its children
            **kw,
        )
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[str], grace_s: float = 5.0) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=grace_s)
        if proc in self.procs:
            self.procs.remove(proc)

    def run_json(self, args: list[str], timeout_s: float) -> dict[str, Any]:
        """Run to its end (at most `timeout_s`), parse the last stdout line as JSON."""
        proc = self.start(args)
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.stop(proc, grace_s=2.0)
            raise RuntimeError(f"timed out after {timeout_s:g} s: {' '.join(args[-6:])}") from None
        self.stop(proc)
        lines = [line for line in out.splitlines() if line.strip()]
        if proc.returncode != 0 or not lines:
            tail = (err or out).strip().splitlines()[-3:]
            raise RuntimeError(f"exit {proc.returncode}: {' | '.join(tail)}")
        try:
            return json.loads(lines[-1])  # type: ignore[no-any-return]
        except ValueError as exc:
            raise RuntimeError(f"not JSON: {lines[-1][:200]!r}") from exc

    def close(self) -> None:
        for proc in list(self.procs):
            with contextlib.suppress(Exception):
                self.stop(proc, grace_s=3.0)
        self.link.delete()
        shutil.rmtree(self.workdir, ignore_errors=True)


def in_ns(bench: Bench, ns: str, *args: str) -> list[str]:
    return [*bench.link.exec_args(ns), *args]


# ---------------------------------------------------------------- the server


def start_server(
    bench: Bench, worker_class: str, workers: int, threads: int, access_log: bool
) -> subprocess.Popen[str]:
    link = bench.link
    instance = bench.workdir / "instance"
    instance.mkdir()
    env = dict(os.environ)
    env.update(
        WSSB_INSTANCE=str(instance),
        WSS_ENV="development",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=f"sqlite:///{instance / 'bench.sqlite3'}",
        SPEEDTEST_RATE_LIMIT="1000000 per minute",
        SPEEDTEST_TRANSFER_LIMIT="100000000 per hour",
        SPEEDTEST_USE_PUBLIC="0",
    )
    if workers > 1:  # the run counter (server-side upload count) must be shared by workers
        redis = shutil.which("redis-server")
        if redis is None:
            raise RuntimeError("--workers > 1 needs redis-server for the shared run counter")
        options = ["--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--save", ""]
        bench.start(
            [*in_ns(bench, link.srv_ns, redis), *options, "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        env["SPEEDTEST_COUNTER_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    errors = open(bench.workdir / "gunicorn.log", "w")  # noqa: SIM115 (kept for the report)
    options = ["--worker-class", worker_class, "--workers", str(workers), "--threads", str(threads)]
    options += ["--bind", f"{link.srv_addr}:{APP_PORT}", "--timeout", "120"]
    options += ["--no-control-socket"]  # else it takes ~/.gunicorn/gunicorn.ctl from others
    if access_log:  # method, path, status, request Content-Length, response bytes, seconds
        options += ["--access-logfile", "-"]
        options += ["--access-logformat", "%(m)s %(U)s %(s)s %({content-length}i)s %(B)s %(L)s"]
    options += ["--pythonpath", str(BENCH), "--chdir", str(ROOT), "speed_server:app"]
    proc = bench.start(
        [*in_ns(bench, link.srv_ns, str(VENV / "gunicorn")), *options],
        env=env,
        stdout=errors,
        stderr=errors,
    )
    probe = (
        "import sys,urllib.request as u;"
        f"r=u.urlopen('http://{link.srv_addr}:{APP_PORT}/speedtest/latency.txt',timeout=2);"
        "sys.exit(r.read()!=b'test=test')"
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server_log(bench)[-500:]}")
        done = subprocess.run(
            in_ns(bench, link.cli_ns, PYTHON, "-c", probe), capture_output=True, timeout=10
        )
        if done.returncode == 0:
            return proc
        time.sleep(0.5)
    raise RuntimeError(f"server not answering after 60 s: {server_log(bench)[-500:]}")


def server_log(bench: Bench) -> str:
    path = bench.workdir / "gunicorn.log"
    return path.read_text(errors="replace") if path.exists() else ""


def base_url(bench: Bench) -> str:
    return f"http://{bench.link.srv_addr}:{APP_PORT}"


# ---------------------------------------------------------------- the measurements


def measure_tcp(bench: Bench, seconds: float, streams: int) -> dict[str, float]:
    link = bench.link
    out: dict[str, float] = {}
    for name, recv_ns, recv_addr, send_ns in (
        ("down", link.cli_ns, link.cli_addr, link.srv_ns),
        ("up", link.srv_ns, link.srv_addr, link.cli_ns),
    ):
        script = str(BENCH / "speed_tcp.py")
        common = ["--port", str(TCP_PORT), "--streams", str(streams)]
        timing = ["--warmup", "1", "--seconds", str(seconds)]
        receiver = bench.start(
            [*in_ns(bench, recv_ns, PYTHON, script, "recv", "--bind", recv_addr), *common, *timing]
        )
        time.sleep(0.3)
        sender = [*common, "--seconds", str(seconds + 3)]
        bench.run_json(
            [*in_ns(bench, send_ns, PYTHON, script, "send", "--to", recv_addr), *sender],
            timeout_s=seconds + 30,
        )
        try:
            text, _err = receiver.communicate(timeout=seconds + 15)
        except subprocess.TimeoutExpired:
            raise RuntimeError("tcp receiver did not finish") from None
        finally:
            bench.stop(receiver)
        got = json.loads(text.strip().splitlines()[-1])
        out[name] = got["mbps"]
        out[f"{name}_app"] = got["app_mbps"]
        time.sleep(0.5)
    return out


def measure_cli(bench: Bench, seconds: float, plan_args: list[str]) -> dict[str, Any]:
    script = str(BENCH / "speed_cli_client.py")
    options = ["--server", base_url(bench), "--seconds", str(seconds), *plan_args]
    return bench.run_json(
        [*in_ns(bench, bench.link.cli_ns, PYTHON, script), *options], timeout_s=2 * seconds + 90
    )


def measure_browser(bench: Bench, seconds: float, streams: int) -> dict[str, Any]:
    if not BROWSER_MODULE.exists():
        raise RuntimeError(f"{BROWSER_MODULE.relative_to(ROOT)} does not exist (yet)")
    script = str(BENCH / "speed_browser_client.py")
    options = ["--url", f"{base_url(bench)}/offline", "--seconds", str(seconds)]
    options += ["--streams", str(streams), "--limit", str(4 * seconds + 60)]
    return bench.run_json(
        [*in_ns(bench, bench.link.cli_ns, PYTHON, script), *options], timeout_s=4 * seconds + 120
    )


def measure_trace(bench: Bench, seconds: float) -> dict[str, Any]:
    """The browser test again, with its JS byte count and the wire's count over its window."""
    if not BROWSER_MODULE.exists():
        raise RuntimeError(f"{BROWSER_MODULE.relative_to(ROOT)} does not exist (yet)")
    script = str(BENCH / "speed_browser_trace.py")
    options = ["--url", f"{base_url(bench)}/offline", "--seconds", str(seconds)]
    return bench.run_json(
        [*in_ns(bench, bench.link.cli_ns, PYTHON, script), *options], timeout_s=4 * seconds + 120
    )


# ---------------------------------------------------------------- report

COLUMNS = [  # (key, header)
    ("tcp_down", "TCP down"),
    ("tcp_up", "TCP up"),
    ("cli_down", "cli down"),
    ("cli_up", "cli up"),
    ("cli_up_lib", "cli up*"),
    ("browser_down", "brw down"),
    ("browser_up", "brw up"),
    ("trace_down", "trc down"),  # --only trace: the module's download figure
    ("trace_js", "trc js"),  # what JS read in the module's window / its length
    ("trace_kernel", "trc kern"),  # what the client's kernel received in it (tcp_info)
]
CHECKED = {"cli_down", "cli_up", "browser_down", "browser_up"}


def ratios(kind: str, result: dict[str, Any], rate: float) -> dict[str, float]:
    if kind == "tcp":
        return {"tcp_down": result["down"] / rate, "tcp_up": result["up"] / rate}
    if kind == "cli":
        return {
            "cli_down": result["download_mbps"] / rate,
            "cli_up": result["upload_mbps"] / rate,
            "cli_up_lib": result["library_upload_mbps"] / rate,
        }
    if kind == "trace":
        return {
            "trace_down": result["result"]["download_mbps"] / rate,
            "trace_js": result["js_mbps"] / rate,
            "trace_kernel": result["kernel_mbps"] / rate,
        }
    return {
        "browser_down": result["download_mbps"] / rate,
        "browser_up": result["upload_mbps"] / rate,
    }


def cell(key: str, values: list[float]) -> str:
    if not values:
        return "-"
    mid = statistics.median(values)
    text = f"{mid:.3f}"
    if len(values) > 1:
        text += f" ({min(values):.2f}-{max(values):.2f})"
    if key in CHECKED and not (GOAL[0] <= min(values) and max(values) <= GOAL[1]):
        text += " !"
    return text


def table(rows: dict[float, dict[str, list[float]]], errors: dict[float, list[str]]) -> str:
    present = {key for values in rows.values() for key in values}
    columns = [(key, h) for key, h in COLUMNS if key in present or key in CHECKED | {"tcp_down"}]
    columns = [(key, h) for key, h in columns if not key.startswith("trace") or key in present]
    widths = [8] + [max(len(h), 10) for _, h in columns]
    cells_by_rate = {
        rate: [f"{rate:g}"] + [cell(key, values.get(key, [])) for key, _ in columns]
        for rate, values in rows.items()
    }
    for cells in cells_by_rate.values():
        widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
    header = ["Mbit/s"] + [h for _, h in columns]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    for rate, cells in cells_by_rate.items():
        lines.append("  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))
        lines.extend(f"{'':>8}  error: {e}" for e in errors.get(rate, []))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "")
    module = ""
    if BROWSER_MODULE.exists():
        module = hashlib.sha256(BROWSER_MODULE.read_bytes()).hexdigest()[:12]
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "git_head": head,
        "speedtest_js_sha256": module,
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", default="5,20,100,500", help="Mbit/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="per direction")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default="tcp,cli,browser")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn: gthread or sync")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=32, help="threads per worker")
    parser.add_argument("--tcp-streams", type=int, default=4)
    parser.add_argument("--browser-streams", type=int, default=6)
    parser.add_argument("--tbf-latency-ms", type=int, default=50)
    parser.add_argument("--out", default="/tmp/speed_accuracy_results.txt")
    parser.add_argument("--json", action="store_true", help="also print every run as JSON")
    parser.add_argument("--json-out", help="write every run as JSON to this file")
    parser.add_argument("--server-log", help="keep gunicorn's log (with an access log) here")
    parser.add_argument(
        "--cli-upload-max", type=int, help="cli: Plan.upload_max instead of the Plan's 50"
    )
    parser.add_argument(
        "--cli-download-per-size", type=int, help="cli: Plan.download_per_size instead of 4"
    )
    args = parser.parse_args()
    plan_args = []
    if args.cli_upload_max:
        plan_args += ["--upload-max", str(args.cli_upload_max)]
    if args.cli_download_per_size:
        plan_args += ["--download-per-size", str(args.cli_download_per_size)]
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    kinds = [k.strip() for k in args.only.split(",") if k.strip()]
    if os.geteuid() != 0:
        print("needs root (ip netns, tc)", file=sys.stderr)
        return 2

    bench = Bench(Link(latency_ms=args.tbf_latency_ms), Path(tempfile.mkdtemp(prefix="wssb-")))
    atexit.register(bench.close)

    def on_signal(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    info = machine()
    rows: dict[float, dict[str, list[float]]] = {rate: {} for rate in rates}
    errors: dict[float, list[str]] = {rate: [] for rate in rates}
    runs: list[dict[str, Any]] = []
    try:
        bench.link.create()
        log(f"namespaces {bench.link.srv_ns} / {bench.link.cli_ns}")
        if {"cli", "browser", "trace"} & set(kinds):
            start_server(
                bench, args.worker_class, args.workers, args.threads, bool(args.server_log)
            )
            log(
                f"server at {base_url(bench)} ({args.workers} x {args.threads} {args.worker_class})"
            )
        measures: dict[str, Callable[[], dict[str, Any]]] = {
            "tcp": lambda: measure_tcp(bench, args.seconds, args.tcp_streams),
            "cli": lambda: measure_cli(bench, args.seconds, plan_args),
            "browser": lambda: measure_browser(bench, args.seconds, args.browser_streams),
            "trace": lambda: measure_trace(bench, args.seconds),
        }
        for rate in rates:
            qdisc = bench.link.shape(rate)
            log(f"shaped: {qdisc}")
            for i in range(args.repeat):
                for kind in kinds:
                    started = time.monotonic()
                    try:
                        result = measures[kind]()
                        got = ratios(kind, result, rate)
                    except (RuntimeError, KeyError, TypeError) as exc:
                        log(f"{rate:g} Mbit/s {kind}: FAILED {exc}")
                        errors[rate].append(f"{kind}: {str(exc)[:200]}")
                        continue
                    for key, value in got.items():
                        rows[rate].setdefault(key, []).append(value)
                    runs.append({"rate": rate, "kind": kind, "repeat": i, "result": result})
                    shown = ", ".join(f"{k} {v:.3f}" for k, v in got.items())
                    log(f"{rate:g} Mbit/s {kind}: {shown} ({time.monotonic() - started:.0f} s)")
                    time.sleep(1.0)
    finally:
        info["loadavg_end"] = os.getloadavg()
        if args.server_log:
            with contextlib.suppress(OSError):
                Path(args.server_log).write_text(server_log(bench))
        bench.close()

    text = "\n".join(
        [
            f"Speed test accuracy (issue #5): measured / shaped rate, {info['date']}",
            f"Machine: {info['cpu']}, {info['cores']} cores, kernel {info['kernel']}; "
            f"load average {info['loadavg_start'][0]:.2f} at start, "
            f"{info['loadavg_end'][0]:.2f} at end",
            f"Code: git HEAD {info['git_head']} plus the working tree; "
            f"static/js/speedtest.js sha256 {info['speedtest_js_sha256'] or '(missing)'}",
            f"Link: veth between two namespaces, tc tbf both directions, latency "
            f"{args.tbf_latency_ms} ms, burst max(32 KiB, R/250) "
            f"(5 Mbit/s: {burst_bytes(5)} B, 500: {burst_bytes(500)} B)",
            f"Runs: {args.seconds:g} s per direction, median of {args.repeat} "
            f"(range in brackets when more); server gunicorn {args.worker_class} "
            f"{args.workers} worker(s) x {args.threads} threads",
            "",
            table(rows, errors),
            "",
            f"TCP: plain TCP goodput, {args.tcp_streams} connection(s), counted by the "
            "receiving kernel (the ceiling, ~0.956: Ethernet+IP+TCP headers). "
            "cli: measure_own_server (flask speedtest --server), upload by the server's "
            "count; cli up*: the library's own upload count (not reported). "
            f"brw: static/js/speedtest.js in Chromium. '!': outside {GOAL[0]:.2f}-{GOAL[1]:.2f}.",
        ]
    )
    print(text)
    Path(args.out).write_text(text + "\n")
    everything = json.dumps({"machine": info, "args": vars(args), "runs": runs}, default=str)
    if args.json:
        print(everything)
    if args.json_out:
        Path(args.json_out).write_text(everything + "\n")
    return 0 if not any(errors.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
