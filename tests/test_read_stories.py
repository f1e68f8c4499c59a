"""A digest or a large file is read story by story; a single report stays whole."""
from __future__ import annotations

import time

import pytest

import geo
from geo.read.reports import read_reports
from geo.read.stories import MAX_STORY_CHARS, split_stories

KABUL = ("KABUL, Nov 6 (Reporterly) - Afghan police seized 12 kg of heroin in Herat "
         "province, officials said.\n\nTwo suspects were arrested at the scene.")
LIMA = ("LIMA, June 28 (Xinhua) - Peruvian police seized 450 kg of cocaine at the port "
        "of Callao, the interior ministry said.\n\nThe drugs were hidden in a container.")
QUITO = ("QUITO, July 3 (EFE) - Ecuador's navy seized 3 tonnes of cocaine off the coast "
         "of Manabi province.\n\nThree men were detained.")


def _digest(tmp_path, text, name="digest.txt"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return read_reports(f)


def test_digest_with_separator_lines(tmp_path):
    reports = _digest(tmp_path, f"{KABUL}\n\n---\n\n{LIMA}\n* * *\n{QUITO}\n")
    assert [r.id for r in reports] == ["digest#1", "digest#2", "digest#3"]
    assert [r.dateline_place for r in reports] == ["KABUL", "LIMA", "QUITO"]
    assert [r.line for r in reports] == [1, 7, 11]
    assert reports[1].text.startswith("LIMA, June 28") and "---" not in reports[1].text
    assert reports.skipped == []


def test_digest_cut_at_repeated_datelines_keeps_headlines(tmp_path):
    text = (f"Heroin seized in Herat\n\n{KABUL}\n\n"
            f"Cocaine found at Callao\n\n{LIMA}\n\n{QUITO}\n")
    reports = _digest(tmp_path, text)
    assert [r.text.split("\n")[0] for r in reports] == [
        "Heroin seized in Herat", "Cocaine found at Callao", QUITO.split("\n")[0]]
    assert [r.title for r in reports][:2] == ["Heroin seized in Herat",
                                              "Cocaine found at Callao"]


def test_each_story_keeps_its_own_figures_and_places(tmp_path):
    # as one report, Lima's 450 kg could be linked to Kabul's story; as stories, each
    # figure's place is its own story's
    reports = _digest(tmp_path, f"{KABUL}\n\n{LIMA}\n")
    events = geo.extract(reports)
    got = sorted(zip(events["doc"], events["quantity_kg"], events["admin1"]))
    assert got == [("digest#1", 12.0, "AF-HER"), ("digest#2", 450.0, "PE-CAL")]


def test_single_report_is_not_split(tmp_path):
    text = ("Heroin seized in Herat\n\n" + KABUL + "\n\nKABUL: officials said more raids "
            "would follow.\n\n\n\nReporting by a correspondent\n")
    (r,) = _digest(tmp_path, text, "one.txt")
    assert (r.id, r.line, r.text) == ("one", None, text)


def test_a_short_footer_stays_with_its_story():
    stories = split_stories(KABUL + "\n\n---\nEnd of digest\n", lambda line: False)
    assert len(stories) == 1 and stories[0].text.endswith("End of digest\n")


def test_a_text_without_boundaries_is_cut_at_paragraph_ends():
    para = ("Police seized 5 kg of heroin in Herat and detained two men. " * 20).strip()
    text = "\n\n".join([para] * 60)  # ~73 kB, no separator, no dateline
    stories = split_stories(text, lambda line: False)
    assert len(stories) > 1 and all(s.cut for s in stories)
    assert all(len(s.text) <= MAX_STORY_CHARS for s in stories)
    # nothing lost: every paragraph is in exactly one piece, whole
    assert sum(s.text.count(para) for s in stories) == 60
    assert [s.line for s in stories] == sorted(s.line for s in stories)


def test_one_endless_line_is_cut_at_sentence_ends():
    text = "Police seized 5 kg of heroin in Herat. " * 2000  # 78 kB on one line
    stories = split_stories(text, lambda line: False)
    assert all(len(s.text) <= MAX_STORY_CHARS for s in stories)
    assert all(s.text.rstrip().endswith(".") for s in stories)
    assert "".join(s.text.replace(" ", "") for s in stories) == text.replace(" ", "")


def test_large_text_is_cut_at_blank_line_runs(tmp_path):
    story = ("Police seized 5 kg of heroin in Herat, officials said.\n\n"
             "Two men were held.\n")
    # in a large text, two or more blank lines part stories
    text = "\n\n\n".join(f"Story {k}. " + story for k in range(2000))
    assert len(text) > MAX_STORY_CHARS
    reports = _digest(tmp_path, text, "many.txt")
    assert len(reports) == 2000
    assert reports[1999].text.startswith("Story 1999.")


def test_splitting_time_is_linear():
    block = "\n\n".join([KABUL, LIMA, QUITO]) + "\n\n"

    def cost(n: int) -> float:
        text = block * n
        t0 = time.perf_counter()
        stories = split_stories(text, lambda line: line.startswith(("KABUL", "LIMA", "QUITO")))
        assert len(stories) == 3 * n
        return time.perf_counter() - t0

    cost(200)  # warm up
    small, large = min(cost(500) for _ in range(3)), min(cost(4000) for _ in range(3))
    # 8x the text: linear is ~8x; quadratic would be ~64x
    assert large < 20 * small


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_other_text_formats_are_split_too(tmp_path, suffix):
    if suffix == ".md":
        data = f"{KABUL}\n\n---\n\n{LIMA}\n"
    else:
        data = (f"<html><body><p>{KABUL}</p><hr><p>{LIMA.replace(chr(10), ' ')}</p>"
                "</body></html>").replace("\n\n", "</p><p>")
    reports = _digest(tmp_path, data, "d" + suffix)
    assert [r.dateline_place for r in reports] == ["KABUL", "LIMA"]


def test_a_long_headline_over_a_dateline_body_is_one_story(tmp_path):
    # set f f009 (written blind for the project): a headline longer than a lone-headline
    # story's size, then a body that opens with a dateline, is one report, not two
    head = ("Gendarmerie weekly round-up: cocaine in a fuel tank, tonnes of marijuana in "
            "Misiones and ecstasy at a rave")
    body = ("BUENOS AIRES (Noticias Argentinas) - The National Gendarmerie reported several "
            "seizures.\n\nIn the town of San Pedro, a truck was intercepted with 1,850 kilos "
            "of marijuana.")
    reports = _digest(tmp_path, f"{head}\n\n{body}\n", name="f009.txt")
    assert [r.id for r in reports] == ["f009"]
    assert reports[0].dateline_place == "BUENOS AIRES"
    assert reports[0].title.startswith("Gendarmerie weekly round-up")
    # a digest of two such stories is still cut in two, each with its headline
    two = _digest(tmp_path, f"{head}\n\n{body}\n\n{head}\n\n{body}\n", name="two.txt")
    assert len(two) == 2 and all(r.title.startswith("Gendarmerie") for r in two)
