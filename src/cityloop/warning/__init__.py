"""预警 (early warning): detectors of sudden rises, space-time clusters and emerging topics
over the appeal history, and the alerts they raise (issue 14)."""
