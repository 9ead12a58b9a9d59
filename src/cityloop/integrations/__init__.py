"""Outside systems in without special code: open standards served over the appeal loop."""
