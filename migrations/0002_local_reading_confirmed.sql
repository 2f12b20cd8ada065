-- A target read again with the same content moves confirmed_at instead of adding a row, as snapshots do: a
-- daemon reading a target every hour would otherwise add 8,760 identical rows a year.
ALTER TABLE local_reading ADD COLUMN confirmed_at INTEGER NOT NULL DEFAULT 0;
UPDATE local_reading SET confirmed_at = read_at;
-- Retention prunes old readings by this time.
CREATE INDEX local_reading_by_confirmed ON local_reading(confirmed_at);
