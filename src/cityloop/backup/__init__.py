"""Backup and restore (issue 16): the database, the attachment files and a manifest in one
tar file; restore checks every checksum before it changes anything.

archive.py   the file: members with their sha256, the manifest, written atomically, read back
sqlite.py    the embedded database: online backup API, the in-use check, the swap into place
postgres.py  PostgreSQL: pg_dump/pg_restore of the server's major version
services.py  `take_backup` and `restore_backup`, which the command line calls
"""
