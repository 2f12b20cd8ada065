-- allowdrift state: published snapshots with history, fetch log, local readings, drift results, alert state.
-- Times are Unix epoch milliseconds (UTC). Every table is STRICT: a wrong type is an error, not a coercion.

CREATE TABLE source (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

-- One row per distinct content seen for a source. A re-fetch with the same content and status moves
-- confirmed_at (and the HTTP validators) instead of adding a row.
CREATE TABLE snapshot (
  id             INTEGER PRIMARY KEY,
  source_id      INTEGER NOT NULL REFERENCES source(id),
  fetched_at     INTEGER NOT NULL,
  confirmed_at   INTEGER NOT NULL,
  status         TEXT    NOT NULL CHECK (status IN ('accepted', 'suspect', 'rejected')),
  reason         TEXT    NOT NULL DEFAULT '',
  etag           TEXT,
  last_modified  TEXT,
  final_url      TEXT,
  change_token   TEXT,
  body_sha256    TEXT,            -- hex, of the raw body as received
  content_sha256 TEXT    NOT NULL, -- hex, of the normalized entries (sections, CIDRs, domains)
  ip_count       INTEGER NOT NULL, -- minimal CIDR blocks, all sections
  domain_count   INTEGER NOT NULL
) STRICT;
CREATE INDEX snapshot_by_source ON snapshot(source_id, id);

-- Entries are stored as spans of presence along a source's chain of content snapshots (accepted and suspect;
-- rejected snapshots carry no content): an entry is in snapshot S when added_in <= S and (removed_in IS NULL
-- or removed_in > S). Thirty daily copies of a list that changes by a few prefixes cost a few rows, not thirty
-- copies, and first/last seen come from the span itself.
CREATE TABLE entry (
  id         INTEGER PRIMARY KEY,
  source_id  INTEGER NOT NULL REFERENCES source(id),
  section    TEXT    NOT NULL,     -- '' when the source has no sections; else e.g. a data-center host
  value      TEXT    NOT NULL,     -- canonical CIDR ("192.0.2.0/24") or domain pattern ("*.example.com")
  added_in   INTEGER NOT NULL REFERENCES snapshot(id),
  removed_in INTEGER REFERENCES snapshot(id)
) STRICT;
CREATE INDEX entry_open ON entry(source_id, removed_in, section, value);
CREATE INDEX entry_by_value ON entry(source_id, value);
CREATE INDEX entry_added ON entry(added_in);
CREATE INDEX entry_removed ON entry(removed_in);

CREATE TABLE fetch_attempt (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES source(id),
  at          INTEGER NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('changed', 'unchanged', 'failed')),
  error_kind  TEXT    NOT NULL DEFAULT '',
  message     TEXT    NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL,
  bytes       INTEGER NOT NULL
) STRICT;
CREATE INDEX fetch_attempt_by_source ON fetch_attempt(source_id, at);

-- What a local allowlist target allowed when it was read.
CREATE TABLE local_reading (
  id             INTEGER PRIMARY KEY,
  target         TEXT    NOT NULL,
  read_at        INTEGER NOT NULL,
  content_sha256 TEXT    NOT NULL,
  ip_count       INTEGER NOT NULL,
  domain_count   INTEGER NOT NULL
) STRICT;
CREATE INDEX local_reading_by_target ON local_reading(target, read_at);

CREATE TABLE drift_result (
  id            INTEGER PRIMARY KEY,
  check_name    TEXT    NOT NULL,
  at            INTEGER NOT NULL,
  snapshot_id   INTEGER REFERENCES snapshot(id) ON DELETE SET NULL,
  reading_id    INTEGER REFERENCES local_reading(id) ON DELETE SET NULL,
  missing_count INTEGER NOT NULL,
  stale_count   INTEGER NOT NULL,
  detail        TEXT    NOT NULL   -- JSON: the missing and stale entries
) STRICT;
CREATE INDEX drift_result_by_check ON drift_result(check_name, at);

-- One row per check, so a restart neither re-sends nor forgets an open alert.
CREATE TABLE alert_state (
  check_name   TEXT PRIMARY KEY,
  state        TEXT    NOT NULL,
  since        INTEGER NOT NULL,
  fingerprint  TEXT    NOT NULL,   -- hash of what was alerted on; a new fingerprint is a new alert
  last_sent_at INTEGER
) STRICT;
