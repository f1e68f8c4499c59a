"""Exception classes of seizure atlas.

Every error the package raises on purpose derives from :class:`GeoError`, so a caller
can catch ours without catching programming errors. Each names the file, line or
record it is about, because a user with a folder of 500 reports needs to find the one
that failed.
"""
from __future__ import annotations


class GeoError(Exception):
    """Base class of every error raised by seizure atlas."""


class BoundaryError(GeoError):
    """A boundary file is unreadable, has no CRS, lacks a column or is not polygons."""


class GazetteerError(GeoError):
    """The embedded gazetteer could not be built or opened."""


class VocabularyError(GeoError):
    """A vocabulary file under ``geo/vocab`` is missing, malformed or contradicts itself."""


class GeocodingError(GeoError):
    """A geocoding step failed for a reason other than an unknown place."""


class ReportError(GeoError):
    """A report could not be read. ``path`` and ``line`` say where."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class UnreadableInput(ReportError):
    """A file, or a part of one, that cannot become report text (empty, binary,
    undecodable, a PDF page without a text layer, an image). ``reason`` is what a user
    acts on; the reader that catches it adds the file and line."""

    def __init__(self, reason: str, *, path: str | None = None, line: int | None = None):
        self.reason = reason
        super().__init__(reason, path=path, line=line)


class SeizureTableError(ReportError):
    """A structured seizure table (CSV/Excel/JSON) or one of its rows could not be read."""


class ExtractionError(GeoError):
    """The extractor was given something it cannot work on (not a report)."""


class ClusterError(ExtractionError):
    """A dask cluster could not do the extraction: dask is not installed, the scheduler
    cannot be reached, or a worker died while it held a shard (named)."""


class AggregationError(GeoError):
    """Events lack the columns an aggregate needs, or arguments contradict each other."""


class MapError(GeoError):
    """A map could not be rendered, e.g. an asset would have to come from the network."""


class OutputError(GeoError):
    """An output path cannot be used: it is, holds or lies inside an input, is a file
    where a folder is wanted (or the reverse), or cannot be written. Raised before any
    work is done, so nothing is read for nothing and nothing is overwritten."""


class OutputLockedError(OutputError):
    """Another run is writing the same output; ``lock`` is the lock file's path."""

    def __init__(self, message: str, *, lock: str):
        super().__init__(message)
        self.lock = lock


class NothingUsableError(GeoError):
    """No input could be read: the run has nothing to write and leaves the previous
    outputs as they were. ``summary`` is the run's summary (what was skipped and why)."""

    def __init__(self, message: str, *, summary: object = None):
        super().__init__(message)
        self.summary = summary


class DeduplicationError(GeoError):
    """Events cannot be deduplicated: not a frame, a required column is missing, or an
    option is invalid."""
