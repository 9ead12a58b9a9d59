"""Open311 GeoReport v2 under /open311/v2/: services from the category taxonomy, requests as
appeals of channel "open311" taken in through intake, read back masked as on every public
output. README "Open311" tells the formats and extensions."""
