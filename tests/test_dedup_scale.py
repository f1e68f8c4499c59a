"""Deduplication of archives full of wire copies (geo.dedup): the clustering walks
classes of twins instead of every pair of events, and must decide exactly what the rule
decides over every pair.

The reference below is the rule as the module states it, over pairs of events: every
compatible pair of different reports, from the best score down (ties in the events'
order), merges its two clusters when no report would be in the result twice and every
pair across is compatible (or, sharing no measure, satisfies the other hard rules). It
is compared with ``geo.deduplicate`` on random archives made to hold what makes the rule
subtle: copies of one report under other ids, several events in one report, figures
that only fit each other's rounding (chains), counts beside masses, hedges, dates at the
edge of the window, routes that clash, places known only by their country.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

import geo.dedup as D
from geo.dedup import deduplicate

SENTENCES = (
    "Police found {q} of cocaine in a banana container at the port of Guayaquil during "
    "Operation Tormes.",
    "The Navy seized more than {q} of drugs aboard the vessel Santa Rita off Manta.",
    "Officers said nearly {q} of cocaine were hidden in a shipment of cucumbers.",
    "Agents intercepted {q} of heroin in suitcases at the airport.",
    "Customs seized {q} in the Banana Export Terminal, the Felcn said.",
    "",
)
FIGURES = (1000.0, 1200.0, 1400.0, 1500.0, 1496.9, 980.0, 300.0, 305.0, 4300.0, 4312.0)


def random_report(rng: random.Random) -> list[dict]:
    """One report: one to three events."""
    out = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        kg = rng.choice(FIGURES + (None,))
        count = rng.choice((None, None, None, 10000, 12000, 9800))
        if kg is None and count is None:
            count = 10000
        pounds = kg is not None and rng.random() < 0.15
        quantity = round(kg / 0.45359237) if pounds else (kg if kg is not None else count)
        unit = "lb" if pounds else ("kg" if kg is not None else "pills")
        day = rng.choice(("2023-07-01", "2023-07-04", "2023-07-09", "2023-07-14",
                          "2023-07-22", "2023-07", "2023-08-02", None))
        sentence = rng.choice(SENTENCES).format(q=f"{quantity:,.0f} {unit}")
        out.append({
            "substance": rng.choice(("cocaine", "cocaine", "cocaine", "heroin",
                                     "unspecified", "cannabis")),
            "quantity": quantity, "unit": unit, "quantity_kg": kg, "count": count,
            "labs_destroyed": None,
            "country": rng.choice(("EC", "EC", "EC", "PE", None)),
            "admin1": rng.choice(("EC-G", "EC-G", "EC-M", None)),
            "admin2": rng.choice((None, None, "EC-G-01")),
            "date": day,
            "agencies": rng.sample(["National Police", "Navy", "DEA"], rng.randint(0, 2)),
            "evidence": {"sentence": sentence, "start": 0, "end": len(sentence)},
            "place": rng.choice(("Guayaquil", "Manta", None)),
            "place_precision": rng.choice(("point", "admin1", None)),
            "approximate": rng.choice((None, False, False, True)),
            "origin": rng.choice((None, None, None, "CO", "PA", "Europe")),
            "destination": rng.choice((None, None, "ES", "NL")),
        })
    # a country left empty where the region says it (EC-G) is filled from it by dedup
    for e in out:
        if e["admin1"] and e["country"] not in (None, "EC"):
            e["admin1"] = None
    return out


def unique_name(k: int) -> str:
    """A name of letters only (the word rules read no digits in a name): Zubaaab, ..."""
    return "Zub" + "".join(chr(97 + int(c)) for c in f"{k:04d}")


def archive(seed: int, dense: bool = False) -> pd.DataFrame:
    """A few reports, each reprinted under other ids, some copies edited a little;
    ``dense``: more reports and more copies, where which of two clusters an event joins
    first decides more often."""
    rng = random.Random(seed)
    reports = [random_report(rng) for _ in range(rng.randint(*((6, 16) if dense else (4, 12))))]
    rows = []
    for k in range(rng.randint(*((60, 160) if dense else (15, 90)))):
        events = reports[rng.randrange(len(reports))]
        doc = f"d{k:03d}" if rng.random() < 0.9 else None  # a few reports with no id
        for e in events:
            e = dict(e, doc=doc)
            if rng.random() < 0.25:  # an outlet's edit: another day, no agency, a word
                e["date"] = rng.choice(("2023-07-05", "2023-07-19", e["date"]))
                e["agencies"] = []
                sentence = e["evidence"]["sentence"] + " Reuters reported from Quito."
                e["evidence"] = {"sentence": sentence, "start": 0, "end": len(sentence)}
            if rng.random() < 0.2:  # a byline or an agency only this outlet prints
                byline = rng.choice((f" Reporting by {unique_name(k)}.", " Reporting by Ana Souza."))
                sentence = e["evidence"]["sentence"] + byline
                e["evidence"] = {"sentence": sentence, "start": 0, "end": len(sentence)}
                e["agencies"] = e["agencies"] + [f"Desk {k}"]
            rows.append(e)
    rng.shuffle(rows)
    return pd.DataFrame(rows)


def reference(events: pd.DataFrame) -> tuple[np.ndarray, int, pd.DataFrame, dict]:
    """Cluster labels by the rule over every pair of events, the number of compatible
    pairs, and the features (with their arrays) the rule read."""
    window = float(D.WINDOW_DAYS)
    f = D._features(events)
    A = D._arrays(f)
    intervals = {m: D._intervals(f, m) for m in D._MEASURES}
    pairs = D._compatible(f, D._candidates(f, window), window, intervals)
    scores = D._score(f, pairs)
    compatible = set(zip(pairs["i"].tolist(), pairs["j"].tolist()))
    docs = A["doc"]
    label = np.full(len(f), -1)
    members: dict[int, list[int]] = {}
    left, right = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    for k in np.argsort(-scores, kind="stable"):
        if scores[k] < D.MIN_SCORE:
            break
        a, b = int(left[k]), int(right[k])
        if label[a] >= 0 and label[a] == label[b]:
            continue
        ca = members[label[a]] if label[a] >= 0 else [a]
        cb = members[label[b]] if label[b] >= 0 else [b]
        if {docs[x] for x in ca} & {docs[y] for y in cb}:
            continue
        if not all((min(x, y), max(x, y)) in compatible
                   or D._unmeasured_ok(A, x, y, window) for x in ca for y in cb):
            continue
        for old in (label[a], label[b]):
            members.pop(int(old), None)
        merged = ca + cb
        label[merged] = min(merged)
        members[min(merged)] = merged
    return label, len(pairs), f, A


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for pos, lab in enumerate(labels.tolist()):
        if lab >= 0:
            out.setdefault(lab, set()).add(pos)
    return {frozenset(v) for v in out.values()}


@pytest.mark.parametrize("seed,dense", [(s, False) for s in range(40)]
                         + [(s, True) for s in range(20)])
def test_the_same_clusters_as_the_rule_over_every_pair(seed, dense):
    events = archive(seed, dense)
    want, pairs, _, _ = reference(events)
    got = deduplicate(events)
    ids = got["cluster"].to_numpy(dtype=object)
    mine = {frozenset(np.flatnonzero(ids == c).tolist()) for c in set(ids) - {None}}
    assert mine == partition(want)
    assert got.attrs["dedup"]["pairs"] == pairs
    assert got.attrs["dedup"]["seizures"] == len(mine)


def test_the_archives_hold_what_makes_the_rule_subtle():
    """The random archives are no easy case: the rule refuses merges in them for a
    report twice and for pairs across that do not fit, and copies are twins."""
    refused_doc = refused_fit = twins = 0
    for seed in range(40):
        events = archive(seed)
        label, _, f, A = reference(events)
        classes, head = D._classes(f)
        twins += len(classes) - len(head)
        groups = partition(label)
        for g in groups:
            docs = [A["doc"][x] for x in g]
            assert len(docs) == len(set(docs))
        # pairs that score high enough but stayed apart
        window = float(D.WINDOW_DAYS)
        intervals = {m: D._intervals(f, m) for m in D._MEASURES}
        pairs = D._compatible(f, D._candidates(f, window), window, intervals)
        scores = D._score(f, pairs)
        for i, j in pairs.loc[scores >= D.MIN_SCORE, ["i", "j"]].itertuples(index=False):
            if label[i] < 0 or label[i] != label[j]:
                ci = [x for x in range(len(f)) if label[x] == label[i]] if label[i] >= 0 else [i]
                cj = [x for x in range(len(f)) if label[x] == label[j]] if label[j] >= 0 else [j]
                if {A["doc"][x] for x in ci} & {A["doc"][y] for y in cj}:
                    refused_doc += 1
                else:
                    refused_fit += 1
    assert twins > 500 and refused_doc > 50 and refused_fit > 50, (twins, refused_doc, refused_fit)


def naive_support(A: dict, idx: list[int]) -> dict[int, int]:
    out = {}
    for a in idx:
        n = 0
        for b in idx:
            for m in D._MEASURES:
                x, y = A[m][a], A[m][b]
                if np.isfinite(x) and np.isfinite(y) and abs(x - y) <= D.CONVERSION_SLACK * max(x, y):
                    n += 1
                    break
        out[a] = n
    return out


@pytest.mark.parametrize("seed", range(5))
def test_the_figure_that_counts_has_the_support_of_every_member(seed):
    events = archive(seed, dense=True)  # seizures of up to 200 events: figures grouped
    f = D._features(events)
    A = D._arrays(f)
    rng = random.Random(seed)
    for size in (1, 3, 8, 9, 40, 64, 65, 200):  # each way _support counts
        idx = sorted(rng.sample(range(len(f)), min(len(f), size)))
        assert D._support(A, idx) == naive_support(A, idx)


def test_a_story_reprinted_a_thousand_times_is_one_seizure():
    """1,000 copies of a report of two seizures (other ids, a day later for some, an
    outlet's word): two seizures of 1,000 events each, each copy of the report in both,
    none twice in one; the pairs they stand for are counted, not listed."""
    base = [
        {"substance": "cocaine", "quantity": 4.3, "unit": "t", "quantity_kg": 4300.0,
         "count": None, "country": "EC", "admin1": "EC-G", "date": "2023-07-04",
         "agencies": ["National Police"], "place": "Guayaquil",
         "evidence": {"sentence": "Police found 4.3 tonnes of cocaine in a banana container "
                                  "at the port of Guayaquil during Operation Tormes."}},
        {"substance": "cocaine", "quantity": 4.3, "unit": "t", "quantity_kg": 4300.0,
         "count": None, "country": "EC", "admin1": "EC-G", "date": "2023-07-04",
         "agencies": ["National Police"], "place": "Guayaquil",
         "evidence": {"sentence": "A second container held another 4.3 tonnes of cocaine "
                                  "at the port of Guayaquil during Operation Tormes."}},
    ]
    rows = []
    for k in range(1000):
        for e in base:
            e = dict(e, doc=f"copy{k:04d}")
            if k % 3 == 1:
                e["date"] = "2023-07-05"
            rows.append(e)
    events = pd.DataFrame(rows)
    out = deduplicate(events)
    assert out["cluster"].nunique() == 2
    for _, g in out.groupby("cluster"):
        assert len(g) == 1000 and g["doc"].is_unique
        assert g["duplicate_of"].isna().sum() == 1
    # every pair of copies of different reports is compatible: 2 x C(2000, 2) - 1000
    assert out.attrs["dedup"]["pairs"] == 2000 * 1999 // 2 - 1000


def test_a_word_one_report_alone_prints_does_not_split_its_copies():
    """Copies that differ only by a byline, or an agency credited by their outlet alone,
    are twins: the rules see no difference (the score reads words two reports share)."""
    rows = []
    for k in range(200):
        sentence = ("Police found 4.3 tonnes of cocaine in a banana container at the port "
                    f"of Guayaquil during Operation Tormes. Reporting by {unique_name(k)}.")
        rows.append({"doc": f"copy{k:03d}", "substance": "cocaine", "quantity": 4.3,
                     "unit": "t", "quantity_kg": 4300.0, "count": None, "country": "EC",
                     "admin1": "EC-G", "date": "2023-07-04", "place": "Guayaquil",
                     "agencies": ["National Police", f"Desk {k}"],
                     "evidence": {"sentence": sentence}})
    events = pd.DataFrame(rows)
    f = D._features(events)
    assert len(set(f["tokens"])) == 200  # every copy's words differ
    classes, head = D._classes(D._shared_only(f))
    assert len(head) == 1
    want, pairs, _, _ = reference(events)
    got = deduplicate(events)
    assert got["cluster"].nunique() == 1 and partition(want) == {frozenset(range(200))}
    assert got.attrs["dedup"]["pairs"] == pairs == 200 * 199 // 2
