"""Maps: regional aggregates in, one self-contained HTML page out.

:mod:`~geo.maps.classify` turns the aggregates into classes, colours and compact layer
data; :mod:`~geo.maps.choropleth` draws them with folium; :mod:`~geo.maps.assets`
inlines every script and stylesheet so the page opens offline.
"""
