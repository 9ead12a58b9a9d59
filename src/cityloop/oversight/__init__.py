"""督办 (oversight): extensions, supervision orders and the deadline scan."""
