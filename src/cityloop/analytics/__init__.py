"""The analytics store: the appeal history as Parquet, partitioned by month, read by DuckDB.
A read-only consumer of the record: nothing here writes to the transactional database."""
