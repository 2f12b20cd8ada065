-- Every entry row written costs one insert per index: storing a first list is about a fifth cheaper without this
-- one. Its only reader, the by-value lookup SnapshotStore::seen() (no command calls it yet), scans the source's
-- rows of entry_open instead: a few thousand index rows per lookup.
DROP INDEX entry_by_value;
