"""城市部件感知: facilities that report themselves (streetlights, manhole covers, drains…) and
the alarms they send, folded into one appeal per device while it is open."""
