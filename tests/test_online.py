"""CachedGeocoder, tested offline: geopy's Nominatim talks to a canned adapter.

No live service and no network: ``Nominatim(adapter_factory=...)`` gets a small
``BaseSyncAdapter`` that answers from a dict of canned Nominatim JSON and logs every
request, so the tests can count what reached the "provider".
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.exc import GeocoderQueryError, GeocoderServiceError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.errors import GeocodingError, GeoError
from geo.places.online import CachedGeocoder, ProviderError, make_geocoder

OFFLINE_KEYS = {"name", "feature_class", "country", "admin1", "admin1_name", "score",
                "population", "source", "reason"}


def _place(name, display, lat, lon, *, rank=16, kind="city", cls="place", importance=0.5):
    """One entry of a Nominatim ``format=json`` answer (lat/lon as strings, as it sends)."""
    return {"place_id": abs(hash(display)) % 10**8, "osm_type": "node", "osm_id": 1,
            "lat": str(lat), "lon": str(lon), "class": cls, "type": kind,
            "place_rank": rank, "importance": importance, "addresstype": kind,
            "name": name, "display_name": display,
            "boundingbox": [str(lat - 0.1), str(lat + 0.1), str(lon - 0.1), str(lon + 0.1)]}


CANNED = {
    "faizabad, badakhshan": [_place("Fayzabad", "Fayzabad, Badakhshan, Afghanistan",
                                    37.1166, 70.5800)],
    "khorog": [_place("Khorog", "Khorog, Gorno-Badakhshan, Tajikistan", 37.4897, 71.5531)],
    "faizabad": [_place("Faizabad", "Faizabad, Ayodhya, Uttar Pradesh, India", 26.7730, 82.1442),
                 _place("Fayzabad", "Fayzabad, Badakhshan, Afghanistan", 37.1166, 70.5800)],
    "afghanistan": [_place("Afghanistan", "Afghanistan", 33.7680, 66.2385, rank=4,
                           kind="country", cls="boundary", importance=0.9)],
}


class CannedProvider:
    """The shared state behind the adapters geopy builds: answers, failures, a log."""

    def __init__(self, answers=None, failures=None):
        self.answers = dict(answers or {})
        self.failures = dict(failures or {})  # q -> HTTP status to fail with
        self.calls: list[dict] = []           # one entry per request: params and time

    def factory(self, *, proxies=None, ssl_context=None):
        return _CannedAdapter(self, proxies=proxies, ssl_context=ssl_context)

    def nominatim(self):
        return Nominatim(user_agent="seizure-atlas-tests", adapter_factory=self.factory)


class _CannedAdapter(BaseSyncAdapter):
    def __init__(self, provider, *, proxies, ssl_context):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.provider = provider

    def get_json(self, url, *, timeout, headers):
        params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        self.provider.calls.append({"params": params, "time": time.monotonic(),
                                    "user_agent": headers.get("User-Agent")})
        q = " ".join(params.get("q", "").lower().split())
        if q in self.provider.failures:
            status = self.provider.failures[q]
            raise AdapterHTTPError(f"canned HTTP {status}", status_code=status,
                                   headers={}, text="server exploded")
        return self.provider.answers.get(q, [])

    def get_text(self, url, *, timeout, headers):  # Nominatim only asks for JSON
        raise AssertionError("unexpected get_text")


@pytest.fixture
def provider():
    return CannedProvider(CANNED)


@pytest.fixture
def geocoder(provider, tmp_path):
    gc = CachedGeocoder(provider.nominatim(), cache_path=tmp_path / "cache.sqlite",
                        min_delay_seconds=0.0, max_retries=1, error_wait_seconds=0.0)
    yield gc
    gc.close()


def test_geocode_joins_the_point_to_its_admin1(geocoder, provider):
    loc = geocoder.geocode("Faizabad, Badakhshan", context="Afghan police seized heroin.")
    assert isinstance(loc, Location)
    assert loc.address == "Fayzabad, Badakhshan, Afghanistan"
    assert loc.latitude == pytest.approx(37.1166) and loc.longitude == pytest.approx(70.58)
    assert OFFLINE_KEYS <= set(loc.raw)
    assert loc.raw["country"] == "AF"
    assert loc.raw["admin1"] == "AF-BDS"
    assert "Badakhshan" in loc.raw["admin1_name"]
    assert loc.raw["feature_class"] == "ppl"
    assert loc.raw["source"] == "online:nominatim@nominatim.openstreetmap.org"
    assert 0 <= loc.raw["score"] <= 1
    assert loc.raw["provider_raw"]["display_name"] == loc.address
    assert len(provider.calls) == 1
    assert provider.calls[0]["user_agent"] == "seizure-atlas-tests"


def test_reverse_step_tells_tajik_badakhshan_apart(geocoder):
    loc = geocoder.geocode("Khorog")
    assert (loc.raw["country"], loc.raw["admin1"]) == ("TJ", "TJ-GB")


def test_second_call_is_served_from_the_cache(geocoder, provider):
    first = geocoder.geocode("Faizabad, Badakhshan")
    # the key ignores case and spacing: these are the same question
    second = geocoder.geocode("  faizabad,   BADAKHSHAN ")
    assert len(provider.calls) == 1
    assert second.raw["admin1"] == first.raw["admin1"] == "AF-BDS"
    assert (second.latitude, second.longitude) == (first.latitude, first.longitude)
    assert geocoder.stats == {"cache_hits": 1, "provider_calls": 1, "failed": 0}


def test_cache_persists_across_instances(tmp_path):
    path = tmp_path / "persist.sqlite"
    online = CannedProvider(CANNED)
    with CachedGeocoder(online.nominatim(), cache_path=path, min_delay_seconds=0) as gc:
        assert gc.geocode("Faizabad, Badakhshan").raw["admin1"] == "AF-BDS"
        assert gc.geocode("Nowhere at all") is None
    assert len(online.calls) == 2

    # a fresh provider that knows nothing: every answer must come from the file
    empty = CannedProvider({})
    with CachedGeocoder(empty.nominatim(), cache_path=path, min_delay_seconds=0) as gc:
        loc = gc.geocode("Faizabad, Badakhshan")
        assert loc.raw["admin1"] == "AF-BDS"
        assert loc.address == "Fayzabad, Badakhshan, Afghanistan"
        assert gc.geocode("Nowhere at all") is None  # "not found" is cached too
    assert empty.calls == []


def test_provider_error_propagates_with_the_query_and_is_not_cached(geocoder, provider):
    provider.failures["faizabad, badakhshan"] = 500
    with pytest.raises(GeocoderServiceError, match="Faizabad, Badakhshan") as info:
        geocoder.geocode("Faizabad, Badakhshan")
    err = info.value
    assert isinstance(err, ProviderError) and isinstance(err, GeoError)
    assert isinstance(err, GeocodingError)
    assert err.query == "Faizabad, Badakhshan"
    assert isinstance(err.__cause__, GeocoderServiceError)
    # the rate limiter retried once (max_retries=1) before giving up
    assert len(provider.calls) == 2

    provider.failures.clear()
    loc = geocoder.geocode("Faizabad, Badakhshan")
    assert loc is not None and loc.raw["admin1"] == "AF-BDS"
    assert len(provider.calls) == 3  # the failure was not cached


def test_rate_limiter_spaces_provider_requests(provider, tmp_path):
    gc = CachedGeocoder(provider.nominatim(), cache_path=tmp_path / "c.sqlite",
                        min_delay_seconds=0.25)
    assert isinstance(gc._limited, RateLimiter)
    assert gc._limited.swallow_exceptions is False
    gc.geocode("Faizabad, Badakhshan")
    gc.geocode("Khorog")
    gc.geocode("Afghanistan")
    times = [c["time"] for c in provider.calls]
    assert len(times) == 3
    assert all(b - a >= 0.24 for a, b in zip(times, times[1:]))
    # cache hits are not delayed
    start = time.monotonic()
    gc.geocode("Khorog")
    gc.geocode("Afghanistan")
    assert time.monotonic() - start < 0.2
    assert len(provider.calls) == 3
    gc.close()


def test_country_codes_go_to_the_provider_and_filter_answers(geocoder, provider):
    geocoder.geocode("Khorog", country_codes=["tj"])
    assert provider.calls[-1]["params"]["countrycodes"] == "tj"
    # a provider that ignores the filter: the wrapper still enforces it
    provider.answers["faizabad"] = CANNED["faizabad"][:1]  # only India's Faizabad
    assert geocoder.geocode("Faizabad", country_codes="AF") is None
    everywhere = geocoder.geocode("Faizabad", exactly_one=False)
    assert [loc.raw["country"] for loc in everywhere] == ["IN"]


def test_exactly_one_false_returns_every_answer_in_provider_order(geocoder, provider):
    provider.answers["faizabad"] = CANNED["faizabad"]
    locs = geocoder.geocode("Faizabad", exactly_one=False)
    assert [loc.raw["country"] for loc in locs] == ["IN", "AF"]
    assert locs[1].raw["admin1"] == "AF-BDS"
    assert "limit" not in provider.calls[-1]["params"]


def test_country_answer_has_no_admin1(geocoder):
    loc = geocoder.geocode("Afghanistan")
    assert loc.raw["feature_class"] == "country"
    assert loc.raw["country"] == "AF"
    assert loc.raw["admin1"] is None


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_bad_query_is_a_query_error_and_asks_nobody(geocoder, provider, bad):
    with pytest.raises(GeocoderQueryError):
        geocoder.geocode(bad)
    assert provider.calls == []


def test_reverse_answers_locally(geocoder, provider):
    region = geocoder.reverse((37.1166, 70.58))
    assert region.raw["admin1"] == "AF-BDS" and region.raw["feature_class"] == "admin1"
    assert geocoder.reverse((0.0, -30.0)) is None  # mid-Atlantic
    assert provider.calls == []


def test_damaged_cache_file_is_a_clear_error(tmp_path, provider):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GeocodingError, match="broken.sqlite"):
        CachedGeocoder(provider.nominatim(), cache_path=path)


def test_make_geocoder_nominatim_needs_a_user_agent(tmp_path):
    with pytest.raises(GeocodingError, match="user agent"):
        make_geocoder("nominatim", cache_path=tmp_path / "n.sqlite")
    with pytest.raises(GeocodingError, match="user agent"):
        make_geocoder("nominatim", user_agent="geopy/2.4.1", cache_path=tmp_path / "n.sqlite")
    with pytest.raises(GeocodingError, match="one request a second"):
        make_geocoder("nominatim", user_agent="atlas-test/1.0 (a@example.org)",
                      min_delay_seconds=0.1, cache_path=tmp_path / "n.sqlite")
    gc = make_geocoder("nominatim", user_agent="atlas-test/1.0 (a@example.org)",
                       cache_path=tmp_path / "n.sqlite")
    assert isinstance(gc, CachedGeocoder) and isinstance(gc.geocoder, Nominatim)
    assert gc.geocoder.headers["User-Agent"] == "atlas-test/1.0 (a@example.org)"
    assert gc._limited.min_delay_seconds == 1.0
    gc.close()


def test_make_geocoder_unknown_name(tmp_path):
    with pytest.raises(GeocodingError, match="unknown geocoder 'atlantis'"):
        make_geocoder("atlantis", cache_path=tmp_path / "x.sqlite")


def test_make_geocoder_offline_is_the_offline_geocoder():
    from geo.places.geocoder import OfflineGeocoder

    assert isinstance(make_geocoder(), OfflineGeocoder)
    assert isinstance(make_geocoder("offline"), OfflineGeocoder)


def test_default_cache_file_lives_in_the_project_cache_folder(provider, tmp_path, monkeypatch):
    monkeypatch.setenv("SEIZURE_ATLAS_CACHE", str(tmp_path / "cachedir"))
    with CachedGeocoder(provider.nominatim(), min_delay_seconds=0) as gc:
        assert gc.cache_path == tmp_path / "cachedir" / "online-nominatim.sqlite"
        gc.geocode("Khorog")
    assert gc.cache_path.is_file()


REPORT = ("KABUL, Sep 29 (IANS) - Afghan police seized 180 kilos of heroin in the "
          "Badakhshan province of Afghanistan, officials said.")


def test_context_picks_among_the_provider_answers(geocoder, provider):
    # the provider ranks India's Faizabad first; the report is about Afghanistan
    assert geocoder.geocode("Faizabad").raw["country"] == "IN"
    loc = geocoder.geocode("Faizabad", context=REPORT)
    assert (loc.raw["country"], loc.raw["admin1"]) == ("AF", "AF-BDS")
    assert "context names AF" in loc.raw["reason"]
    # still one request for the contextual query, and none when asked again
    assert len(provider.calls) == 2
    assert geocoder.geocode("Faizabad", context=REPORT).raw["admin1"] == "AF-BDS"
    assert len(provider.calls) == 2


def test_context_ranking_can_be_switched_off(provider, tmp_path):
    with CachedGeocoder(provider.nominatim(), cache_path=tmp_path / "c.sqlite",
                        min_delay_seconds=0, use_context=False) as gc:
        assert gc.geocode("Faizabad", context=REPORT).raw["country"] == "IN"
        assert provider.calls[-1]["params"]["limit"] == "1"


def test_a_bad_request_is_not_retried(geocoder, provider):
    provider.failures["faizabad"] = 400  # geopy: GeocoderQueryError
    with pytest.raises(ProviderError, match="'Faizabad'") as info:
        geocoder.geocode("Faizabad")
    assert isinstance(info.value.error, GeocoderQueryError)
    assert len(provider.calls) == 1  # a retry would fail the same way


def test_reverse_has_the_offline_geocoders_raw_keys(geocoder):
    from geo.places.geocoder import OfflineGeocoder

    ours = geocoder.reverse((37.1166, 70.58)).raw
    offline = OfflineGeocoder().reverse((37.1166, 70.58)).raw
    assert set(ours) == set(offline)
    assert {k: ours[k] for k in ("country", "admin1", "feature_class")} == \
        {k: offline[k] for k in ("country", "admin1", "feature_class")}
    assert ours["score"] < 1


class GazetteerService(Geocoder):
    """Another provider shape (GeoNames-style raw, no country filter in its API)."""

    def __init__(self):
        super().__init__()
        self.queries = []

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.queries.append(query)
        rows = {
            "osh": [("Osh", 40.5283, 72.7985, "PPLA", "KG", 200000)],
            "asia": [("Asia", 29.8405, 89.2969, "CONT", None, 0)],
            "heathrow": [("Heathrow Airport", 51.4706, -0.4619, "AIRP", "GB", 0)],
        }.get(query.lower(), [])
        found = [Location(name, (lat, lon), {"toponymName": name, "fcode": fcode,
                                             "countryCode": cc, "population": pop})
                 for name, lat, lon, fcode, cc, pop in rows]
        if not found:
            return None
        return found[0] if exactly_one else found


def test_any_geopy_geocoder_can_be_wrapped(tmp_path):
    service = GazetteerService()
    with CachedGeocoder(service, cache_path=tmp_path / "g.sqlite", min_delay_seconds=0) as gc:
        assert gc.provider == "gazetteerservice"
        osh = gc.geocode("Osh", country_codes=["KG"])
        assert (osh.raw["country"], osh.raw["admin1"], osh.raw["feature_class"]) == \
            ("KG", "KG-O", "ppl")
        assert osh.raw["population"] == 200000
        # no country filter in that provider's API: the wrapper enforces it
        assert gc.geocode("Osh", country_codes=["TJ"]) is None
        # a continent is not placed in whatever province holds its centre point
        asia = gc.geocode("Asia")
        assert asia.raw["feature_class"] == "region" and asia.raw["admin1"] is None
        heathrow = gc.geocode("Heathrow")
        assert heathrow.raw["country"] == "GB" and heathrow.raw["admin1"].startswith("GB-")
        assert gc.geocode("Nowhere") is None
    assert service.queries == ["Osh", "Osh", "Asia", "Heathrow", "Nowhere"]


# --------------------------------------------------------------------------------------
# A provider that cannot be reached, a cache that cannot be written (issue 12)
# --------------------------------------------------------------------------------------
class _DownAdapter(BaseSyncAdapter):
    """No connection at all, as with no network or a wrong host."""

    calls = 0

    def get_json(self, url, *, timeout, headers):
        type(self).calls += 1
        raise AdapterHTTPError("canned 503", status_code=503, headers={}, text="down")

    def get_text(self, url, *, timeout, headers):
        raise AssertionError("unexpected get_text")


def test_an_unreachable_provider_is_asked_once_then_not_at_all(tmp_path):
    _DownAdapter.calls = 0
    nominatim = Nominatim(user_agent="seizure-atlas-tests", adapter_factory=_DownAdapter)
    gc = CachedGeocoder(nominatim, cache_path=tmp_path / "c.sqlite", min_delay_seconds=0.0,
                        max_retries=2, error_wait_seconds=5.0)
    t0 = time.monotonic()
    for name in ("Faizabad", "Khorog", "Herat", "Kunduz"):
        with pytest.raises(ProviderError):
            gc.geocode(name)
    assert time.monotonic() - t0 < 2  # no 5-second retries: it never answered
    assert _DownAdapter.calls == 1
    assert gc.unreachable is not None and gc.stats["failed"] == 4
    [problem] = gc.problems()
    assert "unreachable" in problem and "4 place lookup(s) not made" in problem


def test_a_provider_that_answered_once_is_retried(provider, tmp_path):
    gc = CachedGeocoder(provider.nominatim(), cache_path=tmp_path / "c.sqlite",
                        min_delay_seconds=0.0, max_retries=1, error_wait_seconds=0.0)
    assert gc.geocode("Khorog") is not None
    provider.failures["faizabad"] = 503
    with pytest.raises(ProviderError):
        gc.geocode("Faizabad")
    assert len(provider.calls) == 3  # one answer, then a 503 and its retry


def test_an_unwritable_cache_keeps_the_answers_for_the_run(provider, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    gc = CachedGeocoder(provider.nominatim(), cache_path=blocker / "c.sqlite",
                        min_delay_seconds=0.0)
    loc = gc.geocode("Faizabad, Badakhshan")
    assert loc is not None and loc.raw["admin1"] == "AF-BDS"
    assert gc.geocode("Faizabad, Badakhshan") is not None
    assert len(provider.calls) == 1  # the second answer came from memory
    [problem] = gc.problems()
    assert str(blocker / "c.sqlite") in problem and "not kept for the next run" in problem
