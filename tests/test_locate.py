"""geo.places.locate: points to admin-1 regions."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box

from geo.places.boundaries import default
from geo.errors import GeoError
from geo.places.locate import Region, locate, region_at

KABUL = (69.1723, 34.5281)
GUAYAQUIL = (-79.8862, -2.1962)
MID_ATLANTIC = (-30.0, 30.0)


@pytest.fixture(scope="session")
def regions() -> gpd.GeoDataFrame:
    return default()


def frame(*points, **columns) -> pd.DataFrame:
    lon, lat = zip(*points)
    return pd.DataFrame({"lon": lon, "lat": lat, **columns})


def test_point_in_kabul():
    out = locate(frame(KABUL))
    row = out.iloc[0]
    assert (row.country, row.admin1, row.admin1_name) == ("AF", "AF-KAB", "Kabul")
    assert row.located_by == "within" and row.distance_km == 0


def test_guayaquil_goes_to_guayas_as_nearest(regions):
    row = locate(frame(GUAYAQUIL)).iloc[0]
    assert row.admin1 == "EC-G" and row.located_by == "nearest"
    # the distance is a true ground distance: compare with the geodesic to the nearest point
    guayas = regions.geometry[regions.code == "EC-G"].iloc[0]
    nearest = shapely.ops.nearest_points(guayas, Point(GUAYAQUIL))[0]
    geodesic_km = Geod(ellps="WGS84").inv(*GUAYAQUIL, nearest.x, nearest.y)[2] / 1000
    assert 0.5 < row.distance_km < 3
    assert row.distance_km == pytest.approx(geodesic_km, rel=0.01)


def test_tolerance_bounds_the_nearest_step():
    assert locate(frame(GUAYAQUIL), max_distance_km=1.0).admin1.isna().all()
    assert locate(frame(GUAYAQUIL), max_distance_km=0).admin1.isna().all()


def test_mid_atlantic_stays_unlocated_and_keeps_input_country():
    out = locate(frame(MID_ATLANTIC, KABUL, country=["PT", None]))
    sea = out.iloc[0]
    assert sea.admin1 is None and sea.located_by is None and np.isnan(sea.distance_km)
    assert sea.country == "PT"  # what the input knew is not erased
    assert out.iloc[1].admin1 == "AF-KAB"


def test_rows_without_coordinates_are_kept():
    data = pd.DataFrame({"lon": [KABUL[0], None, "n/a"], "lat": [KABUL[1], 10.0, 5.0]},
                        index=["a", "b", "c"])
    out = locate(data)
    assert list(out.index) == ["a", "b", "c"]
    assert out.admin1.tolist() == ["AF-KAB", None, None]


def test_frame_in_web_mercator_is_reprojected():
    points = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[Point(KABUL), Point(GUAYAQUIL)],
                              crs="EPSG:4326").to_crs("EPSG:3857")
    out = locate(points)
    assert out.crs.to_epsg() == 3857  # the caller's geometry is left as it was
    assert out.admin1.tolist() == ["AF-KAB", "EC-G"]


def test_points_without_crs_need_lon_lat():
    no_crs = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(KABUL)])
    with pytest.raises(GeoError, match="no CRS"):
        locate(no_crs)
    with_columns = no_crs.assign(lon=KABUL[0], lat=KABUL[1])
    assert locate(with_columns).admin1.tolist() == ["AF-KAB"]


def test_other_column_names_and_missing_columns():
    data = pd.DataFrame({"x": [KABUL[0]], "y": [KABUL[1]]})
    assert locate(data, lon="x", lat="y").admin1.tolist() == ["AF-KAB"]
    with pytest.raises(GeoError, match="'lon'"):
        locate(data)


def test_boundaries_in_another_crs_are_reprojected():
    square = gpd.GeoDataFrame({"code": ["ZZ-1"], "name": ["Square"], "country": ["ZZ"]},
                              geometry=[box(10, 10, 11, 11)], crs="EPSG:4326").to_crs(3857)
    out = locate(frame((10.5, 10.5), (12, 12)), square)
    assert out.admin1.tolist() == ["ZZ-1", None]


def test_point_on_shared_border_gets_one_deterministic_region(regions):
    # a vertex shared by Kabul and one of its neighbours
    kabul = regions[regions.code == "AF-KAB"]
    neighbours = regions[regions.touches(kabul.geometry.iloc[0]) & (regions.country == "AF")]
    other = neighbours.iloc[0]
    shared = shapely.intersection(kabul.geometry.iloc[0].boundary, other.geometry.boundary)
    coords = shapely.get_coordinates(shared)
    x, y = coords[len(coords) // 2]  # a vertex along the shared border, not at its ends
    covering = regions[regions.covers(Point(x, y))].code.tolist()
    assert len(covering) >= 2  # the precondition: the point is on both

    expected = min(covering)
    assert locate(frame((x, y))).admin1.tolist() == [expected]
    reversed_rows = regions.iloc[::-1].copy()
    assert locate(frame((x, y)), reversed_rows).admin1.tolist() == [expected]
    assert region_at(x, y).code == expected
    assert len(locate(frame((x, y), (x, y)))) == 2  # no duplicated rows


def test_region_at():
    assert region_at(*KABUL) == Region("AF-KAB", "Kabul", "AF", "within", 0.0)
    guayas = region_at(*GUAYAQUIL)
    assert guayas.code == "EC-G" and guayas.located_by == "nearest"
    assert region_at(*MID_ATLANTIC) is None
    assert region_at(float("nan"), 3.0) is None


def test_region_at_agrees_with_sjoin_on_10000_random_land_points(regions):
    rng = np.random.default_rng(42)
    bounds = regions.geometry.bounds.to_numpy()
    pick = rng.integers(0, len(bounds), 30_000)
    lon = bounds[pick, 0] + rng.random(len(pick)) * (bounds[pick, 2] - bounds[pick, 0])
    lat = bounds[pick, 1] + rng.random(len(pick)) * (bounds[pick, 3] - bounds[pick, 1])
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin(points, regions[["code", "geometry"]], predicate="intersects")
    expected = joined.sort_values("code").groupby(level=0).code.first()  # land points only
    sample = expected.index[:10_000]
    assert len(sample) == 10_000
    got = [region_at(lon[i], lat[i]) for i in sample]
    codes = [r.code if r else None for r in got]
    assert codes == expected.loc[sample].tolist()
    assert all(r.located_by == "within" for r in got)
    # and the frame version agrees with both
    many = locate(pd.DataFrame({"lon": lon[sample], "lat": lat[sample]}))
    assert many.admin1.tolist() == codes
