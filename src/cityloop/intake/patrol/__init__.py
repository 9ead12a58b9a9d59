"""网格员巡查上报: the grid patrol channel (docs/decisions/0010-patrol-on-spot.md)."""
