"""Reading: files in, reports and seizure rows out.

Takes paths (files or folders of text, Markdown, HTML, JSON Lines, JSON, CSV, Excel) and
gives :class:`~geo.read.reports.Report` objects (text, title, date, dateline, language)
or, for structured seizure tables, event rows. Knows file formats, encodings and
datelines; knows nothing of how a seizure is written in prose.
"""
