"""The ``geo`` command: the flow from the shell.

::

    geo map PATH... --out maps/          reports/tables -> events -> regions -> map (+ summary)
    geo extract PATH... --out events.jsonl|.csv|.geojson|events/ [--dask local|ADDRESS]
    geo aggregate EVENTS_FILE --out regions.csv [--by country]
    geo geocode NAME [--context TEXT]

Exit codes: 0 ok (every input read, every step ran), 1 partial (some inputs were
skipped, or a step degraded: an online geocoder that could not be reached, a cache that
could not be written; or a name was not found), 2 usage error or bad input (bad options,
missing input, an output that is or holds an input, an output another run is writing,
an unreadable boundary file, no input that could be read), 3 internal error (a bug), 130
interrupted. Progress bars go to stderr; ``-q`` silences them, ``--json`` prints the
summary as JSON on stdout. ``-q``, ``-v`` and ``--json`` go before or after the command.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from pathlib import Path
from typing import Any, Sequence

from .errors import GeoError

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _UsageError(Exception):
    """A problem with what the user asked for (exit 2)."""


# --------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------
def _add_common(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # the same flags on the main parser (geo -v map ...) and on each command (geo map
    # ... -v); a command's copy has no default of its own, so it does not reset a flag
    # given before the command
    default: Any = False if top else argparse.SUPPRESS
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help="no progress bar, no warnings; only the summary (or nothing with --json)")
    p.add_argument("--json", action="store_true", default=default,
                   help="print a machine-readable JSON summary")
    p.add_argument("-v", "--verbose", action="store_true", default=default,
                   help="log each step and its time")


def _add_reports(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("report columns (CSV/JSON/JSONL inputs)")
    g.add_argument("--text-col", default="text", metavar="COL",
                   help="column/field holding the report text (default: text)")
    g.add_argument("--id-col", metavar="COL",
                   help="column with the report id (default: a column named id, else "
                        "FILE:LINE)")
    g.add_argument("--date-col", metavar="COL", help="column with the publication date")
    g.add_argument("--url-col", metavar="COL", help="column with the report url")
    g.add_argument("--title-col", metavar="COL", help="column with the headline")
    g.add_argument("--years", metavar="FIRST-LAST",
                   help="plausible publication years (e.g. 2010-2014) for datelines "
                        "without a year")
    g.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="processes extracting reports (default 1; 0: every core); the "
                        "events are the same; offline geocoder only. With --dask local: "
                        "the cluster's worker processes (default: every core)")


def _add_tables(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "seizure tables",
        "Spreadsheets (.xlsx) are read as seizure tables; with any of these column "
        "options, CSV files are too (without them a CSV with a text column is reports).")
    g.add_argument("--table", action="append", default=[], metavar="FILE",
                   help="read FILE as a seizure table whatever its type (repeatable)")
    for name in ("place", "country", "quantity", "unit", "substance", "date", "id", "text"):
        g.add_argument(f"--seizure-{name}", metavar="COL",
                       help=f"seizure table column with the {name}")


def _add_level(p: argparse.ArgumentParser) -> None:
    p.add_argument("--level", type=int, choices=(1, 2), default=1,
                   help="1: first-level regions (ISO 3166-2: French regions, Spanish "
                        "autonomous communities; default); 2: the units below them "
                        "(departments, provinces) where the boundary set has them; with "
                        "--boundaries, a file of second-level units with a parent column "
                        "(--parent-col)")


def _add_dedup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-dedup", action="store_true",
                   help="add up every report's figures: by default a seizure several reports "
                        "tell (the same drug, place, figure and days) counts once")


def _add_places(p: argparse.ArgumentParser, boundaries: bool = True) -> None:
    g = p.add_argument_group("places")
    if boundaries:
        g.add_argument("--boundaries", metavar="FILE",
                       help="boundary file (GeoJSON, GPKG, shapefile ...) instead "
                            "of the built-in set")
        g.add_argument("--code-col", default="code", metavar="COL",
                       help="region code column of --boundaries (default: code)")
        g.add_argument("--name-col", default="name", metavar="COL",
                       help="region name column of --boundaries (default: name)")
        g.add_argument("--country-col", default="country", metavar="COL",
                       help="ISO alpha-2 country column of --boundaries (default: country)")
        g.add_argument("--parent-col", default="parent", metavar="COL",
                       help="level-1 code column of a second-level --boundaries file, with "
                            "--level 2 (default: parent)")
    g.add_argument("--geocoder", default="offline", metavar="NAME",
                   help="offline (default) or nominatim (needs --user-agent and network)")
    g.add_argument("--user-agent", metavar="UA",
                   help='identifies you to an online geocoder, e.g. "my-app/1.0 (me@example.org)"')
    g.add_argument("--geocoder-cache", metavar="FILE",
                   help="cache file of the online geocoder (default: the user cache folder)")


def build_parser() -> argparse.ArgumentParser:
    """The ``geo`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Turn reports of drug seizures into located events, regional figures "
                    "and offline choropleth maps.",
        epilog="Exit codes: 0 ok, 1 partial (some inputs skipped or a step degraded; the "
               "summary says which), 2 usage error or bad input, 3 internal error, 130 "
               "interrupted.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("map", help="the whole job: inputs -> events -> regions -> map",
                       description="Read reports and/or seizure tables, extract and place the "
                                   "seizures, sum them per region and write index.html, "
                                   "events.geojson, events.csv, regions.csv and "
                                   "eradication.csv into --out.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="report/table files or folders (none: only the --table files)")
    p.add_argument("-o", "--out", default="maps", metavar="DIR",
                   help="output folder (default: maps); the five files are staged beside it "
                        "and moved in together at the end")
    p.add_argument("--substance", help="substance layer shown first on the map")
    p.add_argument("--title", help="the map's title (default: made from the data)")
    p.add_argument("--view", choices=("auto", "symbols", "choropleth"), default="auto",
                   help="opening view: proportional circles or shaded regions (default: "
                        "circles when the data span several countries); both stay switchable")
    p.add_argument("--png", metavar="FILE", help="also a static PNG of the map (needs matplotlib: "
                   "pip install 'seizure-atlas[png]')")
    _add_dedup(p)
    _add_level(p)
    _add_reports(p)
    _add_tables(p)
    _add_places(p)
    _add_common(p)

    p = sub.add_parser("extract", help="reports -> seizure events",
                       description="Extract seizure events from reports (and seizure tables) "
                                   "and write them as JSON Lines, CSV or GeoJSON.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="report/table files or folders (none: only the --table files)")
    p.add_argument("-o", "--out", required=True, metavar="FILE",
                   help="events file: .jsonl, .csv or .geojson; or a folder of GeoParquet "
                        "parts: a name ending in / or .parquet, or an existing folder (the "
                        "eradication records go beside it: eradication.jsonl/.csv/.geojson, "
                        "eradication.jsonl beside a folder)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="extract on a dask cluster into the --out folder, shard by shard "
                        "(a rerun keeps the shards already written): 'local' starts one "
                        "on this machine (--jobs workers), else the address of a running "
                        "scheduler (tcp://host:8786); needs pip install "
                        "'seizure-atlas[dask]'")
    p.add_argument("--shard-mb", type=float, default=4.0, metavar="MB",
                   help="with --dask: megabytes of report files per shard, one task each "
                        "(default 4, ~2,000 news reports; a file is never split)")
    _add_reports(p)
    _add_tables(p)
    _add_places(p)
    _add_common(p)

    p = sub.add_parser("aggregate", help="events -> regional figures",
                       description="Sum an events file (.jsonl/.csv/.geojson from geo extract, "
                                   "or its folder of GeoParquet parts) per region and "
                                   "substance.")
    p.add_argument("events", metavar="EVENTS_FILE", help="events file or folder of parts")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="regions .csv "
                   "(or .geojson/.gpkg to keep the polygons)")
    p.add_argument("--by", choices=("admin1", "country"), default="admin1")
    _add_level(p)
    p.add_argument("--substances", metavar="LIST",
                   help="comma-separated substances or drug groups to keep")
    p.add_argument("--start", help="first date (ISO, any precision)")
    p.add_argument("--end", help="last date (ISO, any precision)")
    p.add_argument("--freq", help="one row per region and period: D, W, M, Q or Y")
    p.add_argument("--all-regions", action="store_true",
                   help="also list regions without events (figures empty)")
    p.add_argument("--map", metavar="HTML", help="also write the choropleth here")
    p.add_argument("--eradication", metavar="FILE",
                   help="eradication records (eradication.csv/.jsonl/.geojson of geo map or "
                        "geo extract): adds eradications and eradicated_ha per region")
    _add_dedup(p)
    g = p.add_argument_group("places")
    g.add_argument("--boundaries", metavar="FILE")
    g.add_argument("--code-col", default="code", metavar="COL")
    g.add_argument("--name-col", default="name", metavar="COL")
    g.add_argument("--country-col", default="country", metavar="COL")
    g.add_argument("--parent-col", default="parent", metavar="COL")
    _add_common(p)

    p = sub.add_parser("geocode", help="look a place name up",
                       description="Geocode a place name (offline by default) and print its "
                                   "country and admin-1 region.")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--context", metavar="TEXT",
                   help="text around the name (countries and regions it names disambiguate)")
    p.add_argument("--country", metavar="CC", action="append",
                   help="restrict to this ISO alpha-2 country (repeatable)")
    p.add_argument("--all", action="store_true", help="list every candidate, best first")
    p.add_argument("--limit", type=int, default=10, help="at most this many with --all")
    _add_places(p, boundaries=False)
    _add_common(p)
    return parser


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (tests redirect it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.INFO if args.verbose else (
        logging.ERROR if args.quiet or args.json else logging.WARNING)
    # our own handler on the "geo" logger, not logging.basicConfig: an application that
    # calls main() keeps its root logging as it was
    logger = logging.getLogger("geo")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("geo: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)
    # geopy's RateLimiter logs every retry with a traceback; the error itself still
    # reaches the user through our exception, so its chatter waits for --verbose
    logging.getLogger("geopy").setLevel(logging.INFO if args.verbose else logging.ERROR)
    if args.quiet or args.json:
        from .places.gazetteer import set_progress

        set_progress(False)


def _setup_warnings(args: argparse.Namespace) -> None:
    # (inside warnings.catch_warnings(): the filters end with the command)
    # mapclassify's hint about an optional speed-up says nothing about the user's data
    warnings.filterwarnings("ignore", message="Numba not installed")
    if args.quiet or args.json:
        warnings.simplefilter("ignore")


def _check_inputs(paths: Sequence[str]) -> None:
    if not paths:
        raise _UsageError("give at least one PATH (report or table file, or folder) or "
                          "--table FILE")
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise _UsageError("no such file or folder: " + ", ".join(missing))


def _inputs(args: argparse.Namespace) -> list[str]:
    """Every file the command reads: no output may be, hold or lie inside one of them."""
    inputs = list(getattr(args, "paths", None) or []) + list(getattr(args, "table", None) or [])
    if getattr(args, "events", None):
        inputs.append(args.events)
    if getattr(args, "eradication", None):
        inputs.append(args.eradication)
    if getattr(args, "boundaries", None):
        inputs.append(args.boundaries)
    return inputs


def _check_outputs(args: argparse.Namespace, *, folder: bool = False) -> list[Path]:
    """Check every output before any work (see :func:`geo.targets.check_output`)."""
    from .targets import check_output

    outs = [("--out", args.out)] + ([("--map", args.map)] if getattr(args, "map", None) else [])
    if len(outs) == 2 and Path(outs[0][1]).resolve() == Path(outs[1][1]).resolve():
        raise _UsageError(f"--out and --map both name {args.out}; give two files")
    inputs = _inputs(args)
    return [check_output(path, inputs, folder=folder, option=option)
            for option, path in outs]


def _outputs_of(args: argparse.Namespace) -> list[str]:
    if args.command == "map":
        return [str(Path(args.out))]
    if args.command == "extract":
        return [args.out, str(_eradication_path(args, check=False))]
    if args.command == "aggregate":
        return [args.out] + ([args.map] if getattr(args, "map", None) else [])
    return []


def _eradication_path(args: argparse.Namespace, *, check: bool = True) -> Path:
    """Where ``geo extract`` writes the eradication records: beside the events, in their
    format (``eradication.jsonl`` beside a folder of parts); checked as an output."""
    from .events import is_parts_folder

    out = Path(args.out)
    suffix = ".jsonl" if is_parts_folder(args.out) else out.suffix.lower()
    erad_out = out.parent / f"eradication{suffix}"
    if not check:
        return erad_out
    if erad_out.resolve() == out.resolve():
        raise _UsageError(f"--out {args.out}: that is where the eradication records go "
                          f"(beside the events); name the events file otherwise")
    from .targets import check_output

    check_output(erad_out, _inputs(args), folder=False, option="--out (eradication file)")
    return erad_out


def _years(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        parts = [int(x) for x in value.replace("..", "-").split("-")]
    except ValueError:
        raise _UsageError(f"--years {value!r}: expected FIRST-LAST, e.g. 2010-2014") from None
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) != 2 or parts[0] > parts[1]:
        raise _UsageError(f"--years {value!r}: expected FIRST-LAST, e.g. 2010-2014")
    return parts[0], parts[1]


def _report_options(args: argparse.Namespace) -> dict[str, Any]:
    return dict(text_column=args.text_col, id_column=args.id_col, date_column=args.date_col,
                url_column=args.url_col, title_column=args.title_col,
                years=_years(args.years))


def _table_columns(args: argparse.Namespace):
    from .pipeline import TableColumns

    return TableColumns(**{name: getattr(args, f"seizure_{name}") for name in
                           ("text", "place", "country", "quantity", "unit", "substance",
                            "date", "id")})


def _boundaries(args: argparse.Namespace):
    if not getattr(args, "boundaries", None):
        return None
    if not Path(args.boundaries).exists():
        raise _UsageError(f"--boundaries: no such file: {args.boundaries}")
    roles = {"--code-col": args.code_col, "--name-col": args.name_col,
             "--country-col": args.country_col}
    if getattr(args, "level", 1) == 2:
        roles["--parent-col"] = args.parent_col
    seen: dict[str, str] = {}
    for option, column in roles.items():
        if column in seen:
            raise _UsageError(f"{seen[column]} and {option} both name the column {column!r} "
                              f"of {args.boundaries}; each needs its own column")
        seen[column] = option
    from .places.boundaries import load

    return load(args.boundaries, code=args.code_col, name=args.name_col,
                country=args.country_col, level=getattr(args, "level", 1),
                parent=getattr(args, "parent_col", "parent"))


def _geocoder(args: argparse.Namespace, boundaries: Any = None):
    name = (args.geocoder or "offline").lower()
    if name == "offline":
        return None  # the extractor's default: the shared offline geocoder
    if name == "nominatim" and not args.user_agent:
        raise _UsageError('--geocoder nominatim needs --user-agent "my-app/1.0 (me@example.org)"')
    from .places.online import make_geocoder

    return make_geocoder(name, user_agent=args.user_agent, cache_path=args.geocoder_cache,
                         boundaries=boundaries)


def _jobs(args: argparse.Namespace) -> int:
    if args.jobs is None:
        return 1
    if args.jobs < 0:
        raise _UsageError(f"--jobs {args.jobs}: give a number of processes >= 0 (0: every core)")
    if args.jobs != 1 and (args.geocoder or "offline").lower() != "offline":
        raise _UsageError(f"--jobs {args.jobs} needs the offline geocoder: online services "
                          f"limit how fast one client may ask")
    return args.jobs


def _progress(args: argparse.Namespace) -> bool:
    # a bar only where someone watches it
    return not (args.quiet or args.json) and sys.stderr.isatty()


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, default=str))


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------
def _print_summary(args: argparse.Namespace, summary: Any) -> None:
    if args.json:
        _print_json(summary.to_dict())
    elif not args.quiet or summary.exit_code:
        print(summary.format())


def cmd_map(args: argparse.Namespace) -> int:
    from .pipeline import run

    _check_inputs(args.paths + args.table)
    _check_outputs(args, folder=True)
    if args.title is not None and not args.title.strip():
        raise _UsageError("--title is empty")
    if args.png:  # before the work, not after it
        if Path(args.png).suffix.lower() != ".png":
            raise _UsageError(f"--png {args.png}: give a .png file")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise _UsageError("--png needs matplotlib: pip install 'seizure-atlas[png]'") from None
    boundaries = _boundaries(args)
    summary = run(args.paths, args.out, boundaries=boundaries,
                  geocoder=_geocoder(args, boundaries), quiet=args.quiet,
                  tables=args.table, table_columns=_table_columns(args),
                  report_options=_report_options(args), substance=args.substance,
                  map_options={"title": args.title, "view": args.view, "png": args.png},
                  progress=_progress(args), jobs=_jobs(args), level=args.level,
                  dedup=not args.no_dedup)
    if args.json:
        _print_json(summary.to_dict())
    else:
        print(summary.format())
    return summary.exit_code


def cmd_extract(args: argparse.Namespace) -> int:
    from .events import is_parts_folder, write_eradications
    from .pipeline import eradication_frame, require_usable, stream_events
    from .staging import OutputLock, Staging

    out = Path(args.out)
    parts = is_parts_folder(args.out)
    if not parts and out.suffix.lower() not in (".jsonl", ".csv", ".geojson"):
        raise _UsageError(f"--out {args.out}: use a .jsonl, .csv or .geojson file, or a "
                          "folder (events/) for GeoParquet parts")
    if args.dask is not None:
        return _extract_on_cluster(args, out, parts)
    _check_inputs(args.paths + args.table)
    _check_outputs(args, folder=parts)
    if parts:
        from .shards import check_events_folder

        check_events_folder(out)
    erad_out = _eradication_path(args)
    boundaries = _boundaries(args)
    with OutputLock([out, erad_out]), Staging.files() as stage:
        # the events go to the staged file as they come (memory holds a batch of reports,
        # not the run); the previous file stays until the run has succeeded
        records: list[dict] = []
        summary = stream_events(
            args.paths, stage.path(out), geocoder=_geocoder(args, boundaries),
            boundaries=boundaries, tables=args.table, table_columns=_table_columns(args),
            report_options=_report_options(args), progress=_progress(args),
            jobs=_jobs(args), parts=parts, eradications=records)
        require_usable(summary, out)
        erad = eradication_frame(records, boundaries)
        summary.add_eradications(erad)
        write_eradications(erad, stage.path(erad_out))
        stage.commit()
    summary.outputs = {out.name: str(out), erad_out.name: str(erad_out)}
    _print_summary(args, summary)
    return summary.exit_code


def _extract_on_cluster(args: argparse.Namespace, out: Path, parts: bool) -> int:
    """``geo extract --dask``: the shards written into the --out folder in place (a
    rerun keeps those finished), under the folder's lock."""
    from .errors import NothingUsableError
    from .events import write_eradications
    from .extraction.cluster import require_dask
    from .pipeline import eradication_frame
    from .shards import check_events_folder, extract_shards
    from .staging import OutputLock, Staging

    if not parts:
        raise _UsageError(f"--dask writes a folder of GeoParquet parts: give --out "
                          f"{out.with_suffix('')}/ instead of {args.out}")
    if args.table or _table_columns(args).given():
        raise _UsageError("--dask extracts reports; read seizure tables without --dask")
    if (args.geocoder or "offline").lower() != "offline":
        raise _UsageError("--dask needs the offline geocoder: every worker loads its own")
    jobs = args.jobs
    if jobs is not None and jobs < 0:
        raise _UsageError(f"--jobs {jobs}: give a number of worker processes >= 0 "
                          "(0: every core)")
    if not args.shard_mb > 0:
        raise _UsageError(f"--shard-mb {args.shard_mb}: give a size > 0")
    if not args.dask.strip():
        raise _UsageError("--dask: give 'local' or a scheduler address (tcp://host:8786)")
    require_dask()  # before the work
    _check_inputs(args.paths)
    _check_outputs(args, folder=True)
    check_events_folder(out)
    erad_out = _eradication_path(args)
    boundaries = _boundaries(args)
    with OutputLock([out, erad_out]):
        records: list[dict] = []
        summary = extract_shards(args.paths, out, args.dask, workers=jobs or None,
                                 report_options=_report_options(args),
                                 boundaries=boundaries,
                                 shard_bytes=int(args.shard_mb * 1_000_000),
                                 eradications=records)
        if not summary.reports_read:
            raise NothingUsableError(f"no report could be read ({len(summary.skipped)} "
                                     f"input(s) skipped); {out} holds no events",
                                     summary=summary)
        erad = eradication_frame(records, boundaries)
        summary.add_eradications(erad)
        with Staging.files() as stage:
            write_eradications(erad, stage.path(erad_out))
            stage.commit()
    summary.outputs = {out.name: str(out), erad_out.name: str(erad_out)}
    _print_summary(args, summary)
    return summary.exit_code


def cmd_aggregate(args: argparse.Namespace) -> int:
    from .aggregates import aggregate
    from .output import regions_table, save_map, write_csv
    from .read.events import read_events
    from .staging import OutputLock, Staging

    for given in (args.events, args.eradication):
        if given and not Path(given).exists():
            raise _UsageError(f"no such file: {given}")
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".geojson", ".gpkg"):
        raise _UsageError(f"--out {args.out}: use a .csv, .geojson or .gpkg file")
    _check_outputs(args)
    boundaries = _boundaries(args)
    targets = [out] + ([Path(args.map)] if args.map else [])
    with OutputLock(targets):
        events = read_events(args.events)
        # the eradication file is read as an events file is (its lists decoded)
        erad = read_events(args.eradication) if args.eradication else None
        merged = None
        if not args.no_dedup:
            from .dedup import deduplicate, merged_summary

            if "duplicate_of" not in events.columns or "cluster" not in events.columns:
                events = deduplicate(events)
            merged = merged_summary(events)
        substances = ([s.strip() for s in args.substances.split(",")]
                      if args.substances else None)
        regions = aggregate(events, boundaries, level=args.level, by=args.by,
                            substances=substances, start=args.start, end=args.end,
                            freq=args.freq, all_regions=args.all_regions,
                            dedup=not args.no_dedup, eradications=erad)
        # both files staged and moved in together: the map always shows the table's run
        with Staging.files() as stage:
            if out.suffix.lower() == ".csv":
                write_csv(regions_table(regions), stage.path(out))
            else:
                frame = regions.copy()
                for col in frame.columns:
                    if (col != "geometry" and frame[col].dtype == object
                            and frame[col].map(lambda v: isinstance(v, list)).any()):
                        frame[col] = frame[col].map(lambda v: ";".join(map(str, v))
                                                    if isinstance(v, list) else v)
                frame.to_file(stage.path(out),
                              driver="GeoJSON" if out.suffix.lower() == ".geojson" else "GPKG")
            if args.map:
                save_map(regions, None, stage.path(Path(args.map)), boundaries=boundaries)
            stage.commit()
    unlocated = regions.attrs.get("unlocated")
    n_unlocated = int(unlocated["events"].sum()) if unlocated is not None and len(unlocated) else 0
    result = {"events": int(len(events)), "regions": int(len(regions)),
              "unlocated_events": n_unlocated,
              "duplicates": merged["duplicates"] if merged else None,
              "merged_seizures": merged["seizures"] if merged else None,
              "outputs": [str(out)] + ([args.map] if args.map else [])}
    if args.json:
        _print_json(result)
    elif not args.quiet:
        print(f"events: {result['events']}\nregions: {result['regions']}\n"
              f"unlocated events: {n_unlocated}")
        if merged and merged["duplicates"]:
            print(f"told by several reports: {merged['seizures']} seizure(s); "
                  f"{merged['duplicates']} event(s) merged into them, counted once "
                  f"(--no-dedup counts each)")
        if n_unlocated:
            for row in unlocated.itertuples(index=False):
                print(f"  {row.reason}: {int(row.events)} event(s)"
                      + (f" in {row.country}" if isinstance(getattr(row, 'country', None), str) else ""))
        print("wrote: " + ", ".join(result["outputs"]))
    return EXIT_OK


def _location_dict(loc: Any) -> dict[str, Any]:
    raw = dict(getattr(loc, "raw", {}) or {})
    raw.pop("provider_raw", None)
    return {"address": loc.address, "lat": loc.latitude, "lon": loc.longitude, **raw}


def cmd_geocode(args: argparse.Namespace) -> int:
    geocoder = _geocoder(args)
    if geocoder is None:
        from .places.geocoder import OfflineGeocoder

        geocoder = OfflineGeocoder()
    kwargs: dict[str, Any] = {"exactly_one": not args.all}
    if args.country:
        kwargs["country_codes"] = [c.upper() for c in args.country]
    if args.context:
        kwargs["context"] = args.context
    from .places.online import ProviderError

    try:
        result = geocoder.geocode(args.name, **kwargs)
    except ProviderError as exc:  # the service failed, not the user: a degraded step
        print(f"geo geocode: {exc}", file=sys.stderr)
        return EXIT_PARTIAL
    locations = [] if result is None else (result if isinstance(result, list) else [result])
    locations = locations[: max(args.limit, 1)]
    rows = [_location_dict(loc) for loc in locations]
    if args.json:
        _print_json({"query": args.name, "results": rows})
    elif not rows:
        print(f"no match for {args.name!r}", file=sys.stderr)
    else:
        for r in rows:
            region = r.get("admin1") or "-"
            name = r.get("admin1_name") or ""
            score = r.get("score")
            print(f"{r.get('name') or r['address']}\t{r.get('feature_class') or ''}\t"
                  f"{r.get('country') or '-'}\t{region}\t{name}\t"
                  f"{r['lat']:.5f},{r['lon']:.5f}\t"
                  f"score={score if score is not None else ''}\t{r.get('reason') or ''}")
    return EXIT_OK if rows else EXIT_PARTIAL


COMMANDS = {"map": cmd_map, "extract": cmd_extract, "aggregate": cmd_aggregate,
            "geocode": cmd_geocode}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geo`` console script; returns the exit code."""
    from .errors import NothingUsableError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    _setup_logging(args)
    from .extraction.heap import set_heap_aside_after_load

    set_heap_aside_after_load()  # a run of the command does little but extract
    try:
        with warnings.catch_warnings():
            _setup_warnings(args)
            return COMMANDS[args.command](args)
    except _UsageError as exc:
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NothingUsableError as exc:
        # the summary still says what was skipped and why
        if exc.summary is not None:
            _print_summary(args, exc.summary)
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except GeoError as exc:
        # our errors name the file and what is wrong with it: the user must fix an input
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        print(f"geo {args.command}: {_interrupted(args, exc)}", file=sys.stderr)
        return 130
    except Exception:  # a bug, not bad input: must not read as "partial" (1)
        import traceback

        traceback.print_exc()
        print(f"geo {args.command}: internal error (a bug: please report it with the "
              "traceback above)", file=sys.stderr)
        return EXIT_INTERNAL


def _interrupted(args: argparse.Namespace, exc: KeyboardInterrupt) -> str:
    """What Ctrl-C left behind. Outputs are only ever moved in all together, with Ctrl-C
    held back meanwhile (geo.staging): either every one was written, or none was."""
    from .staging import OutputsInterrupted

    if isinstance(exc, OutputsInterrupted):
        return ("interrupted after every output of this run was written, complete: "
                + ", ".join(map(str, exc.written)))
    outputs = _outputs_of(args)
    if not outputs:
        return "interrupted"
    return ("interrupted; nothing was written: " + ", ".join(outputs)
            + (" is" if len(outputs) == 1 else " are") + " as before this run")


if __name__ == "__main__":  # python -m geo.cli
    sys.exit(main())
