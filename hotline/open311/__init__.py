"""Open311 GeoReport v2 (``/open311/v2/``): the catalogue and tickets for other civic systems."""
