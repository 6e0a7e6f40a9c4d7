"""XLSX export: wall time and peak memory of `write_workbook` (openpyxl write-only) against
XlsxWriter in constant_memory mode writing the same cells, in the same run.

Usage: .venv/bin/python bench/export_xlsx.py [--sites 10000,100000] [--repeat 3]
       .venv/bin/python bench/export_xlsx.py --check 300   # only the same-cells check

Sites are generated one by one (tests/exports/samples.py: 3 speed runs, 4–5 carriers, about ten
amenities, a stored breakdown from the real scorer; a few documents are scored once and reused).
Both writers read every value through the same column getters, so they differ only in how the
cells reach the file: same sheets, headers, values, number formats, widths, frozen panes,
autofilters and tier colours (XlsxWriter is the reference only, never used by the app).

First a small N is written by both and read back with openpyxl, cell by cell, to prove they write
the same workbook. Then each run is a child process, ours and the reference alternating,
`--repeat` times per N; medians are printed. The peak RSS (VmHWM) is reset through
/proc/self/clear_refs once the setup is done, so it is the peak while writing. The time of
generating the records alone (shared by both) is printed too.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.exports.columns import WHEN  # noqa: E402
from app.exports.records import ExportMeta, ExportSite, ExportStats  # noqa: E402
from app.exports.safety import is_risky, printable  # noqa: E402
from app.exports.workbook import (  # noqa: E402
    DICTIONARY,
    DICTIONARY_COLUMNS,
    METADATA,
    METADATA_COLUMNS,
    TIER_FILLS,
    Layout,
    dictionary_rows,
    metadata_rows,
    write_workbook,
)
from app.scoring import load_rubric  # noqa: E402
from tests.exports import samples  # noqa: E402

WRITERS = ("openpyxl", "xlsxwriter")


def write_reference(
    path: str, sites: Iterable[ExportSite], layout: Layout, meta: ExportMeta
) -> int:
    """The same workbook with XlsxWriter (constant_memory: rows streamed, strings inline).
    Returns the number of cells written."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    bold, quote = book.add_format({"bold": True}), book.add_format({"quote_prefix": True})
    formats: dict[str, Any] = {}

    def fmt(number_format: str | None) -> Any:
        if number_format is None:
            return None
        if number_format not in formats:
            formats[number_format] = book.add_format({"num_format": number_format})
        return formats[number_format]

    def sheet(name: str, headers: list[tuple[str, float, str | None]]) -> list[Any]:
        ws = book.add_worksheet(name)
        for j, (header, width, _format) in enumerate(headers):
            ws.set_column(j, j, width)
            ws.write_string(0, j, header, bold)
        ws.freeze_panes(1, 0)
        return [ws, 1, [fmt(f) for _h, _w, f in headers]]

    cells = 0

    def put(state: list[Any], values: list[Any]) -> None:
        nonlocal cells
        ws, row, fmts = state
        for j, value in enumerate(values):
            kind = type(value)
            if kind is str:
                value = printable(value)
                if not value:
                    continue
                if is_risky(value):
                    ws.write_string(row, j, value, quote)
                else:
                    ws.write_string(row, j, value)
            elif kind is float or kind is int:
                if not math.isfinite(value):
                    continue
                ws.write_number(row, j, value, fmts[j])
            elif kind is datetime or kind is date:
                ws.write_datetime(row, j, value, fmts[j])
            elif value is None:
                continue
            else:
                raise TypeError(f"reference writer: no rule for {kind}")
            cells += 1
        state[1] = row + 1

    data = []
    for name, columns in layout.data_sheets():
        state = sheet(name, [(c.header, c.width, c.number_format) for c in columns])
        data.append((state, [c.get for c in columns], columns))
    (s_sites, g_sites, _), (s_runs, g_runs, _), (s_cov, g_cov, _), amen, brk = data
    count = 0
    for site in sites:
        count += 1
        put(s_sites, [get(site, None) for get in g_sites])
        for run in site.runs:
            put(s_runs, [get(site, run) for get in g_runs])
        for coverage in site.coverage:
            put(s_cov, [get(site, coverage) for get in g_cov])
        put(amen[0], [get(site, None) for get in amen[1]])
        put(brk[0], [get(site, None) for get in brk[1]])
    for state, _getters, columns in data:
        ws, rows = state[0], state[1]
        ws.autofilter(0, 0, rows - 1, len(columns) - 1)
        tier = next((j for j, c in enumerate(columns) if c.english == "tier"), None)
        if tier is not None and rows > 1:
            for code, color in TIER_FILLS.items():
                label = layout.tier_labels.get(code)
                if label:
                    fill = book.add_format({"bg_color": "#" + color, "pattern": 1})
                    rule = {"type": "cell", "criteria": "==", "value": f'"{label}"', "format": fill}
                    ws.conditional_format(1, tier, rows - 1, tier, rule)
    state = sheet(DICTIONARY, [(h, w, None) for h, w in DICTIONARY_COLUMNS])
    for values in dictionary_rows(layout):
        put(state, list(values))
    state[0].autofilter(0, 0, state[1] - 1, len(DICTIONARY_COLUMNS) - 1)
    stats = ExportStats(sites=count, rows={s[0].name: s[1] - 1 for s, _g, _c in data})
    state = sheet(METADATA, [(h, w, None) for h, w in METADATA_COLUMNS])
    when = book.add_format({"num_format": WHEN})
    for row, (key, value) in enumerate(metadata_rows(meta, stats), 1):
        state[0].write_string(row, 0, key)
        if isinstance(value, datetime):
            state[0].write_datetime(row, 1, value, when)
        elif isinstance(value, str):
            state[0].write_string(row, 1, value)
        else:
            state[0].write_number(row, 1, value)
        state[1] = row + 1
    state[0].autofilter(0, 0, state[1] - 1, 1)
    book.close()
    return cells


RISKY_NAMES = ("=1+2", "+81 739", "-5 ℃", "@SUM(A1)", "\tタブ", "\r改行", "a\x01b", " 空白 ")


def check_sites(count: int, rubric: Any) -> Iterable[ExportSite]:
    """Sample sites, every tenth with a risky or awkward name."""
    stored = samples.summaries(rubric)
    for i in range(count):
        extra = {"name": RISKY_NAMES[i // 10 % len(RISKY_NAMES)]} if i % 10 == 0 else {}
        yield samples.site(i, stored[i % len(stored)] if i % 9 else None, **extra)


def same_cells(folder: str, count: int) -> str:
    """Write `count` sites with both writers, read both back with openpyxl, compare all."""
    import openpyxl

    rubric = load_rubric()
    layout = Layout.build(samples.labels(rubric), rubric)
    ours, theirs = os.path.join(folder, "check-ours.xlsx"), os.path.join(folder, "check-ref.xlsx")
    write_workbook(ours, check_sites(count, rubric), layout, samples.meta())
    written = write_reference(theirs, check_sites(count, rubric), layout, samples.meta())
    a, b = openpyxl.load_workbook(ours), openpyxl.load_workbook(theirs)
    assert a.sheetnames == b.sheetnames, (a.sheetnames, b.sheetnames)
    cells = 0
    for name in a.sheetnames:
        wa, wb = a[name], b[name]
        assert (wa.freeze_panes, wa.auto_filter.ref) == (wb.freeze_panes, wb.auto_filter.ref), name
        assert (wa.max_row, wa.max_column) == (wb.max_row, wb.max_column), name
        for ra, rb in zip(wa.iter_rows(), wb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                facts_a = (ca.value, ca.data_type, ca.number_format, ca.font.b, ca.quotePrefix)
                value_b = cb.value
                if isinstance(value_b, str):  # XlsxWriter writes CR as Excel's escape _x000D_
                    value_b = value_b.replace("_x000D_", "\r")
                facts_b = (value_b, cb.data_type, cb.number_format, cb.font.b, cb.quotePrefix)
                assert facts_a == facts_b, (name, ca.coordinate, facts_a, facts_b)
                cells += ca.value is not None
        widths_a, widths_b = _widths(wa), _widths(wb)
        assert widths_a.keys() == widths_b.keys(), name
        assert all(abs(widths_a[k] - widths_b[k]) < 1 for k in widths_a), name
        assert _colours(wa) == _colours(wb), name
    return (
        f"check: {count} sites, both writers read back equal: {len(a.sheetnames)} sheets, "
        f"{cells:,} non-empty cells (reference wrote {written:,} data cells)"
    )


def _widths(sheet: Any) -> dict[int, float]:
    """Column index → width (openpyxl reads runs of equal widths as one dimension)."""
    return {
        index: dim.width
        for dim in sheet.column_dimensions.values()
        for index in range(dim.min, dim.max + 1)
    }


def _colours(sheet: Any) -> set[tuple[str, str, str]]:
    return {
        (str(cf.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:])
        for cf in sheet.conditional_formatting
        for rule in cf.rules
    }


def run_child(writer: str, count: int, out: str) -> dict[str, Any]:
    """In a child process: write `count` sites with `writer` to `out`; time and peak RSS."""
    rubric = load_rubric()
    layout = Layout.build(samples.labels(rubric), rubric)
    meta = samples.meta()
    sites = samples.sites(count, samples.summaries(rubric))  # a few documents scored now
    gc.collect()
    before_mb = _status_mb("VmRSS")
    try:  # reset the peak (VmHWM) so that it measures the writing, not the setup
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    started = time.perf_counter()
    if writer == "openpyxl":
        write_workbook(out, sites, layout, meta)
    elif writer == "xlsxwriter":
        write_reference(out, sites, layout, meta)
    else:  # only generate the records: the part both writers share
        for _site in sites:
            pass
    seconds = time.perf_counter() - started
    peak_mb = _status_mb("VmHWM")
    size = os.path.getsize(out) if os.path.exists(out) else 0
    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "before_mb": before_mb,
        "reset": reset,
        "bytes": size,
    }


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its peak) of this process, in MB. Not ru_maxrss: a child
    inherits in it the parent's peak at fork time."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def spawn(writer: str, count: int, folder: str) -> dict[str, Any]:
    out = os.path.join(folder, f"{writer}-{count}.xlsx")
    cmd = [sys.executable, __file__, "--child", writer, "--sites", str(count), "--out", out]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if os.path.exists(out):
        os.remove(out)
    return result


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import lxml.etree
    import openpyxl
    import xlsxwriter

    return (
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · nproc {os.cpu_count()} · {model} · "
        f"Python {platform.python_version()} · openpyxl {openpyxl.__version__} · "
        f"lxml {'.'.join(map(str, lxml.etree.LXML_VERSION[:3]))} · "
        f"XlsxWriter {xlsxwriter.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", default="10000,100000", help="comma-separated site counts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", type=int, default=300, help="sites in the same-cells check")
    parser.add_argument("--check-only", action="store_true", help="run only the check")
    parser.add_argument("--child", choices=(*WRITERS, "generate"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, int(args.sites), args.out)))
        return
    print(machine())
    if args.check_only:
        with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
            print(same_cells(folder, args.check))
        return
    with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
        print(same_cells(folder, args.check))
        for count in (int(n) for n in args.sites.split(",")):
            report(count, args.repeat, folder)


def report(count: int, repeat: int, folder: str) -> None:
    runs: dict[str, list[dict[str, Any]]] = {w: [] for w in (*WRITERS, "generate")}
    ratios = []
    for rep in range(repeat):
        order = WRITERS if rep % 2 == 0 else WRITERS[::-1]
        for writer in order:
            runs[writer].append(spawn(writer, count, folder))
        ratios.append(runs["openpyxl"][-1]["seconds"] / runs["xlsxwriter"][-1]["seconds"])
    runs["generate"].append(spawn("generate", count, folder))
    print(f"\n{count:,} sites, {repeat} runs each (alternating), medians:")
    for writer in WRITERS:
        secs = [r["seconds"] for r in runs[writer]]
        peak = statistics.median(r["peak_mb"] for r in runs[writer])
        before = statistics.median(r["before_mb"] for r in runs[writer])
        size = runs[writer][0]["bytes"] / 1e6
        if not all(r["reset"] for r in runs[writer]):
            print("  (peak RSS could not be reset after setup: it includes the setup)")
        each = ", ".join(f"{s:.2f}" for s in secs)
        print(
            f"  {writer:10} {statistics.median(secs):7.2f} s  (runs {each})"
            f"  peak RSS {peak:6.1f} MB while writing (RSS before {before:.1f} MB)"
            f"  file {size:.1f} MB"
        )
    print(
        f"  ratio openpyxl / xlsxwriter: median {statistics.median(ratios):.2f}"
        f" (per run {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(f"  generating the records alone: {runs['generate'][0]['seconds']:.2f} s")


if __name__ == "__main__":
    main()
