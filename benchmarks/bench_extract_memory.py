"""Peak memory and throughput of ``geo extract`` as the number of reports grows.

usage: python benchmarks/bench_extract_memory.py [--sizes 1000 10000] [--before SRC]
       [--jobs 1] [--out .jsonl] [--no-figures]

For each size N a folder of N text reports is made at run time in a temporary folder
(the development reports ``<benchmarks>/reports/d*.txt``, each followed by the body of
the next one and made unique by its copy number, as ``bench_throughput.py`` builds them;
nothing is copied into the repository). ``geo extract FOLDER --out events.jsonl`` is then
run as a child process and its peak RSS taken from ``os.wait4`` (the child's own
``ru_maxrss``, gazetteer and boundaries included), with its wall time.

``--no-figures`` makes ~1.4 KB news paragraphs that hold no figure instead (the
extractor passes them over at thousands a second): what the run itself keeps per report
(the folder's listing, the ids, the summary) then shows at 100k or 1M reports in
minutes, where the development texts would take hours.

``--before SRC`` runs the same command a second time with ``SRC`` (a checkout of the
code before a change, e.g. made with ``git archive``) first on ``PYTHONPATH``, in the same
run on the same folder, and prints the ratios: compare those, not absolute figures (the
machine may be shared). With both, the two outputs are compared byte for byte.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


def make_reports(folder: Path, n: int) -> None:
    """N unique ~2 KB reports in ``folder`` (names sort in report order)."""
    dev = sorted((BENCH / "reports").glob("d*.txt"))
    if not dev:
        sys.exit(f"no reports under {BENCH / 'reports'}")
    texts = [p.read_text(encoding="utf-8") for p in dev]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        mark = f" (copy {i})"
        other = texts[(i + 1) % len(texts)].split("\n\n", 1)[-1]
        text = (texts[i % len(texts)] + "\n\n" + other).replace("\n\n", mark + "\n\n")
        (folder / f"r{i:07d}.txt").write_text(text, encoding="utf-8")


_NO_FIGURE = ("KABUL (AP) - Police officials said on Monday that the operation in the "
              "province went on through the night and that the security forces had met no "
              "resistance. The governor praised the officers and asked the residents to "
              "help them. ") * 6


def _letters(i: int) -> str:
    # a report's own word, without a digit (a digit would be a figure to weigh)
    out = ""
    while True:
        out = "abcdefghijklmnopqrstuvwxyz"[i % 26] + out
        i //= 26
        if not i:
            return out


def make_plain_reports(folder: Path, n: int) -> None:
    """N unique reports that hold no figure, named in report order."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        word = _letters(i)
        (folder / f"r{i:07d}.txt").write_text(f"Story {word}\n\n{_NO_FIGURE}Tag {word}.\n",
                                              encoding="utf-8")


def run_extract(folder: Path, out: Path, src: Path | None, jobs: int) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one ``geo extract`` child process."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "geo.cli", "extract", str(folder), "--out", str(out),
           "--jobs", str(jobs), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=str(src or REPO))
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return usage.ru_maxrss / 1024, dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--before", type=Path, help="source tree of the code to compare against")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", default=".jsonl", choices=[".jsonl", ".csv", ".geojson"])
    ap.add_argument("--no-figures", action="store_true",
                    help="reports without figures: the run's own memory per report, fast")
    args = ap.parse_args()
    peaks: list[tuple[int, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench-extract-mem-") as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            folder = tmp / f"reports-{n}"
            (make_plain_reports if args.no_figures else make_reports)(folder, n)
            new_out = tmp / f"after-{n}{args.out}"
            rss, dt = run_extract(folder, new_out, None, args.jobs)
            line = f"{n:>7,} reports: after  {rss:7.0f} MB peak RSS, {n / dt:6.1f} reports/s"
            if args.before:
                old_out = tmp / f"before-{n}{args.out}"
                rss0, dt0 = run_extract(folder, old_out, args.before, args.jobs)
                same = filecmp.cmp(old_out, new_out, shallow=False)
                line += (f" | before {rss0:7.0f} MB, {n / dt0:6.1f} reports/s | RSS "
                         f"{rss / rss0:.2f}x, throughput {dt0 / dt:.2f}x, output "
                         f"{'identical' if same else 'DIFFERS'}")
            print(line, flush=True)
            peaks.append((n, rss, rss0 if args.before else None))
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()
    # what each further report costs: the slope between the smallest and largest run
    if len(peaks) > 1 and peaks[-1][0] != peaks[0][0]:
        (n0, a0, b0), (n1, a1, b1) = peaks[0], peaks[-1]
        line = f"growth {n0:,} -> {n1:,} reports: after {(a1 - a0) * 1024 / (n1 - n0):.3f} KB/report"
        if b0 is not None and b1 is not None:
            line += f" | before {(b1 - b0) * 1024 / (n1 - n0):.3f} KB/report"
        print(line)


if __name__ == "__main__":
    main()
