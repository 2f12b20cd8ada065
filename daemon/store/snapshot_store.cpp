#include "store/snapshot_store.h"

#include "store/sha256.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace allowdrift::store {
namespace {

using SectionValue = std::pair<std::string, std::string>;  // (section, value)

constexpr std::string_view kSnapshotColumns =
    "s.id, src.name, s.fetched_at, s.confirmed_at, s.status, s.reason, s.etag, s.last_modified, s.final_url, "
    "s.change_token, s.body_sha256, s.content_sha256, s.ip_count, s.domain_count, "
    "(SELECT count(*) FROM entry e WHERE e.added_in = s.id), "
    "(SELECT count(*) FROM entry e WHERE e.removed_in = s.id)";

SnapshotStatus parse_status(const std::string& s) {
  if (s == "accepted") return SnapshotStatus::kAccepted;
  if (s == "suspect") return SnapshotStatus::kSuspect;
  return SnapshotStatus::kRejected;
}

SnapshotInfo read_info(const Statement& st) {
  SnapshotInfo info;
  info.id = st.column_int64(0);
  info.source = st.column_text(1);
  info.fetched_at = st.column_int64(2);
  info.confirmed_at = st.column_int64(3);
  info.status = parse_status(st.column_text(4));
  info.reason = st.column_text(5);
  info.etag = st.column_optional_text(6);
  info.last_modified = st.column_optional_text(7);
  info.final_url = st.column_optional_text(8);
  info.change_token = st.column_optional_text(9);
  info.body_sha256 = st.column_optional_text(10);
  info.content_sha256 = st.column_text(11);
  info.ip_count = st.column_int64(12);
  info.domain_count = st.column_int64(13);
  info.added = st.column_int64(14);
  info.removed = st.column_int64(15);
  return info;
}

// Sorted (section, value) pairs of the content; the order is the canonical one.
std::vector<SectionValue> flatten(const std::vector<SectionContent>& sections, std::int64_t& ips,
                                  std::int64_t& domains) {
  std::vector<SectionValue> out;
  ips = 0;
  domains = 0;
  for (const auto& section : sections) {
    for (auto& cidr : section.ips.to_cidr_strings()) {
      out.emplace_back(section.name, std::move(cidr));
      ++ips;
    }
    std::set<std::string> names;
    for (const auto& d : section.domains) names.insert(d.to_string());
    domains += static_cast<std::int64_t>(names.size());
    for (const auto& n : names) out.emplace_back(section.name, n);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string hash_of(const std::vector<SectionValue>& values) {
  Sha256 h;
  for (const auto& [section, value] : values) {
    h.update(section);
    h.update("\t");
    h.update(value);
    h.update("\n");
  }
  return h.hex_digest();
}

// Rebuilds sections from stored values: CIDRs go back through the strict parser (they were written by us, so a
// failure means the database was edited by hand).
std::vector<SectionContent> to_sections(const std::vector<SectionValue>& values, const std::string& db_path) {
  std::map<std::string, std::pair<model::IpSetBuilder, std::vector<model::DomainPattern>>> by_section;
  for (const auto& [section, value] : values) {
    auto& slot = by_section[section];
    const bool is_ip = value.find('/') != std::string::npos;
    if (is_ip) {
      auto entry = model::parse_ip_entry(value);
      if (!entry)
        throw StoreFailure(
            {StoreErrorKind::kCorrupt, "database " + db_path + ": stored entry " + entry.error().message});
      slot.first.add(*entry);
    } else {
      auto pattern = model::parse_domain_pattern(value);
      if (!pattern)
        throw StoreFailure(
            {StoreErrorKind::kCorrupt, "database " + db_path + ": stored entry " + pattern.error().message});
      slot.second.push_back(std::move(*pattern));
    }
  }
  std::vector<SectionContent> out;
  for (auto& [name, slot] : by_section) out.push_back({name, std::move(slot.first).build(), std::move(slot.second)});
  return out;
}

}  // namespace

std::string_view to_string(SnapshotStatus status) {
  switch (status) {
    case SnapshotStatus::kAccepted:
      return "accepted";
    case SnapshotStatus::kSuspect:
      return "suspect";
    case SnapshotStatus::kRejected:
      return "rejected";
  }
  return "rejected";
}

std::string canonical_content(const std::vector<SectionContent>& sections) {
  std::int64_t ips = 0;
  std::int64_t domains = 0;
  std::string out;
  for (const auto& [section, value] : flatten(sections, ips, domains)) out += section + "\t" + value + "\n";
  return out;
}

std::string content_sha256(const std::vector<SectionContent>& sections) {
  std::int64_t ips = 0;
  std::int64_t domains = 0;
  return hash_of(flatten(sections, ips, domains));
}

std::int64_t SnapshotStore::source_id(const std::string& name, bool create) {
  auto find = db_.prepare("SELECT id FROM source WHERE name = ?");
  find.bind(1, name);
  if (find.step()) return find.column_int64(0);
  if (!create) return 0;
  db_.prepare("INSERT INTO source(name) VALUES (?)").bind(1, name).run();
  return db_.last_insert_rowid();
}

RecordResult SnapshotStore::record(const SnapshotInput& in) {
  for (std::size_t i = 0; i < in.sections.size(); ++i)
    for (std::size_t j = i + 1; j < in.sections.size(); ++j)
      if (in.sections[i].name == in.sections[j].name)
        throw StoreFailure({StoreErrorKind::kInternal, "database " + db_.path() + ": snapshot of " + in.source +
                                                           " names section " + model::quote_token(in.sections[i].name) +
                                                           " twice"});
  Transaction tx(db_);
  const std::int64_t src = source_id(in.source, true);
  std::int64_t ip_count = 0;
  std::int64_t domain_count = 0;
  const auto values = flatten(in.sections, ip_count, domain_count);
  const bool has_content = in.status != SnapshotStatus::kRejected;
  const std::string content_hash = has_content ? hash_of(values) : "";

  // The latest snapshot of the same kind (content-bearing, or rejected) decides whether this is a re-confirmation.
  auto latest = db_.prepare(
      has_content ? "SELECT id, content_sha256, status FROM snapshot WHERE source_id = ? AND status != 'rejected' "
                    "ORDER BY id DESC LIMIT 1"
                  : "SELECT id, coalesce(body_sha256, '') || '|' || reason, status FROM snapshot WHERE source_id = ? "
                    "ORDER BY id DESC LIMIT 1");
  latest.bind(1, src);
  std::int64_t previous_id = 0;
  if (latest.step()) {
    previous_id = latest.column_int64(0);
    const std::string fingerprint = has_content ? content_hash : in.body_sha256.value_or("") + "|" + in.reason;
    if (latest.column_text(1) == fingerprint && latest.column_text(2) == to_string(in.status)) {
      db_.prepare(
             "UPDATE snapshot SET confirmed_at = max(confirmed_at, ?), etag = ?, last_modified = ?, final_url = ?, "
             "change_token = ?, body_sha256 = ? WHERE id = ?")
          .bind(1, in.fetched_at)
          .bind(2, in.etag)
          .bind(3, in.last_modified)
          .bind(4, in.final_url)
          .bind(5, in.change_token)
          .bind(6, in.body_sha256)
          .bind(7, previous_id)
          .run();
      tx.commit();
      return {previous_id, false};
    }
  }

  db_.prepare(
         "INSERT INTO snapshot(source_id, fetched_at, confirmed_at, status, reason, etag, last_modified, final_url, "
         "change_token, body_sha256, content_sha256, ip_count, domain_count) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, src)
      .bind(2, in.fetched_at)
      .bind(3, in.fetched_at)
      .bind(4, to_string(in.status))
      .bind(5, in.reason)
      .bind(6, in.etag)
      .bind(7, in.last_modified)
      .bind(8, in.final_url)
      .bind(9, in.change_token)
      .bind(10, in.body_sha256)
      .bind(11, content_hash)
      .bind(12, ip_count)
      .bind(13, domain_count)
      .run();
  const std::int64_t id = db_.last_insert_rowid();

  if (has_content) {
    // Close the spans of entries that are gone, open spans for new ones; unchanged entries are not touched.
    auto open = db_.prepare("SELECT id, section, value FROM entry WHERE source_id = ? AND removed_in IS NULL");
    open.bind(1, src);
    std::vector<std::pair<SectionValue, std::int64_t>> current;
    while (open.step()) current.push_back({{open.column_text(1), open.column_text(2)}, open.column_int64(0)});
    std::sort(current.begin(), current.end());

    auto close = db_.prepare("UPDATE entry SET removed_in = ? WHERE id = ?");
    std::vector<const SectionValue*> added;
    auto c = current.begin();
    auto v = values.begin();
    while (c != current.end() || v != values.end()) {
      if (v == values.end() || (c != current.end() && c->first < *v)) {
        close.bind(1, id).bind(2, c->second).run();
        ++c;
      } else if (c == current.end() || *v < c->first) {
        added.push_back(&*v);
        ++v;
      } else {
        ++c;
        ++v;
      }
    }
    insert_entries(src, id, added);
  }
  tx.commit();
  return {id, true};
}

// Multi-row INSERTs of kBatch rows: one statement step per row was most of the cost of storing a 100k-entry
// snapshot (bench/README.md, "State store").
void SnapshotStore::insert_entries(std::int64_t source, std::int64_t snapshot,
                                   const std::vector<const std::pair<std::string, std::string>*>& rows) {
  constexpr std::size_t kBatch = 64;
  auto make = [&](std::size_t n) {
    std::string sql = "INSERT INTO entry(source_id, section, value, added_in) VALUES ";
    for (std::size_t i = 0; i < n; ++i) sql += i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
    return db_.prepare(sql);
  };
  std::size_t i = 0;
  if (rows.size() >= kBatch) {
    auto batch = make(kBatch);
    for (; i + kBatch <= rows.size(); i += kBatch) {
      for (std::size_t j = 0; j < kBatch; ++j) {
        const int base = static_cast<int>(j * 4);
        batch.bind(base + 1, source).bind(base + 2, rows[i + j]->first).bind(base + 3, rows[i + j]->second);
        batch.bind(base + 4, snapshot);
      }
      batch.run();
    }
  }
  if (i < rows.size()) {
    auto single = make(1);
    for (; i < rows.size(); ++i)
      single.bind(1, source).bind(2, rows[i]->first).bind(3, rows[i]->second).bind(4, snapshot).run();
  }
}

std::optional<SnapshotInfo> SnapshotStore::last_accepted(const std::string& source) {
  auto st = db_.prepare("SELECT " + std::string(kSnapshotColumns) +
                        " FROM snapshot s JOIN source src ON src.id = s.source_id "
                        "WHERE src.name = ? AND s.status = 'accepted' ORDER BY s.id DESC LIMIT 1");
  st.bind(1, source);
  if (!st.step()) return std::nullopt;
  return read_info(st);
}

std::optional<SnapshotInfo> SnapshotStore::snapshot(std::int64_t id) {
  auto st = db_.prepare("SELECT " + std::string(kSnapshotColumns) +
                        " FROM snapshot s JOIN source src ON src.id = s.source_id WHERE s.id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_info(st);
}

std::vector<SnapshotInfo> SnapshotStore::history(const std::string& source, std::int64_t limit) {
  auto st = db_.prepare("SELECT " + std::string(kSnapshotColumns) +
                        " FROM snapshot s JOIN source src ON src.id = s.source_id "
                        "WHERE src.name = ? ORDER BY s.id DESC LIMIT ?");
  st.bind(1, source).bind(2, limit);
  std::vector<SnapshotInfo> out;
  while (st.step()) out.push_back(read_info(st));
  return out;
}

std::vector<std::string> SnapshotStore::sources() {
  auto st = db_.prepare("SELECT name FROM source ORDER BY name");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.column_text(0));
  return out;
}

std::vector<SectionContent> SnapshotStore::content(std::int64_t snapshot_id) {
  const auto info = snapshot(snapshot_id);
  if (!info)
    throw StoreFailure(
        {StoreErrorKind::kNotFound, "database " + db_.path() + ": no snapshot " + std::to_string(snapshot_id)});
  if (info->status == SnapshotStatus::kRejected)
    throw StoreFailure(
        {StoreErrorKind::kNotFound,
         "database " + db_.path() + ": snapshot " + std::to_string(snapshot_id) + " was rejected and has no content"});
  auto st = db_.prepare(
      "SELECT e.section, e.value FROM entry e JOIN snapshot s ON s.id = ? "
      "WHERE e.source_id = s.source_id AND e.added_in <= s.id AND (e.removed_in IS NULL OR e.removed_in > s.id)");
  st.bind(1, snapshot_id);
  std::vector<SectionValue> values;
  while (st.step()) values.emplace_back(st.column_text(0), st.column_text(1));
  return to_sections(values, db_.path());
}

std::vector<SectionChanges> SnapshotStore::changes(std::int64_t from_id, std::int64_t to_id) {
  const auto from_info = snapshot(from_id);
  const auto to_info = snapshot(to_id);
  if (from_info && to_info && from_info->source != to_info->source)
    throw StoreFailure({StoreErrorKind::kNotFound, "database " + db_.path() + ": snapshots " + std::to_string(from_id) +
                                                       " and " + std::to_string(to_id) +
                                                       " belong to different sources"});
  const auto from = content(from_id);
  const auto to = content(to_id);
  std::map<std::string, std::pair<const SectionContent*, const SectionContent*>> sections;
  for (const auto& s : from) sections[s.name].first = &s;
  for (const auto& s : to) sections[s.name].second = &s;

  std::vector<SectionChanges> out;
  const SectionContent empty;
  for (const auto& [name, pair] : sections) {
    const SectionContent& a = pair.first != nullptr ? *pair.first : empty;
    const SectionContent& b = pair.second != nullptr ? *pair.second : empty;
    SectionChanges ch{name, b.ips.difference(a.ips).to_cidr_strings(), a.ips.difference(b.ips).to_cidr_strings()};
    model::DomainSet da;
    model::DomainSet db;
    for (const auto& d : a.domains) da.add(d);
    for (const auto& d : b.domains) db.add(d);
    // Exact set difference of patterns here: "what the vendor added or dropped", not coverage.
    std::set<std::string> sa;
    std::set<std::string> sb;
    for (const auto& d : da.patterns()) sa.insert(d.to_string());
    for (const auto& d : db.patterns()) sb.insert(d.to_string());
    for (const auto& d : sb)
      if (!sa.contains(d)) ch.added.push_back(d);
    for (const auto& d : sa)
      if (!sb.contains(d)) ch.removed.push_back(d);
    if (!ch.added.empty() || !ch.removed.empty()) out.push_back(std::move(ch));
  }
  return out;
}

std::optional<EntrySeen> SnapshotStore::seen(const std::string& source, const std::string& value) {
  const std::int64_t src = source_id(source, false);
  if (src == 0) return std::nullopt;
  auto st = db_.prepare(
      "SELECT min(a.fetched_at), "
      "       max(CASE WHEN e.removed_in IS NULL THEN "
      "             (SELECT max(confirmed_at) FROM snapshot WHERE source_id = e.source_id AND status != 'rejected') "
      "           ELSE (SELECT max(confirmed_at) FROM snapshot WHERE source_id = e.source_id "
      "                 AND status != 'rejected' AND id < e.removed_in) END), "
      "       max(e.removed_in IS NULL) "
      "FROM entry e JOIN snapshot a ON a.id = e.added_in WHERE e.source_id = ? AND e.value = ?");
  st.bind(1, src).bind(2, value);
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return EntrySeen{st.column_int64(0), st.column_int64(1), st.column_int64(2) != 0};
}

std::vector<std::string> SnapshotStore::published_before(const std::string& source, std::int64_t last_accepted_id) {
  // An entry of an accepted snapshot that the last accepted one lacks has a span closed at or before it (no
  // accepted snapshot comes after it, so nothing added later counts); the span range reads entry_open.
  auto st = db_.prepare(
      "SELECT DISTINCT e.value FROM entry e JOIN source src ON src.id = e.source_id "
      "WHERE src.name = ? AND e.removed_in <= ? AND EXISTS "
      "(SELECT 1 FROM snapshot s WHERE s.source_id = e.source_id AND s.status = 'accepted' AND s.id >= e.added_in "
      " AND s.id < e.removed_in) ORDER BY e.value");
  st.bind(1, source).bind(2, last_accepted_id);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.column_text(0));
  return out;
}

void SnapshotStore::confirm(std::int64_t snapshot_id, std::int64_t at, const SnapshotInput* fetched) {
  if (fetched != nullptr) {
    db_.prepare(
           "UPDATE snapshot SET confirmed_at = max(confirmed_at, ?), etag = ?, last_modified = ?, final_url = ?, "
           "change_token = ?, body_sha256 = ? WHERE id = ?")
        .bind(1, at)
        .bind(2, fetched->etag)
        .bind(3, fetched->last_modified)
        .bind(4, fetched->final_url)
        .bind(5, fetched->change_token)
        .bind(6, fetched->body_sha256)
        .bind(7, snapshot_id)
        .run();
  } else {
    db_.prepare("UPDATE snapshot SET confirmed_at = max(confirmed_at, ?) WHERE id = ?")
        .bind(1, at)
        .bind(2, snapshot_id)
        .run();
  }
  if (db_.changes() != 1)
    throw StoreFailure({StoreErrorKind::kInternal,
                        "database " + db_.path() + ": no snapshot " + std::to_string(snapshot_id) + " to confirm"});
}

void SnapshotStore::accept_suspect(std::int64_t snapshot_id, const std::string& reason) {
  db_.prepare("UPDATE snapshot SET status = 'accepted', reason = ? WHERE id = ? AND status = 'suspect'")
      .bind(1, reason)
      .bind(2, snapshot_id)
      .run();
  if (db_.changes() != 1)
    throw StoreFailure({StoreErrorKind::kInternal, "database " + db_.path() + ": snapshot " +
                                                       std::to_string(snapshot_id) + " is not a suspect one"});
}

void SnapshotStore::record_fetch_attempt(const std::string& source, std::int64_t at, std::string_view outcome,
                                         std::string_view error_kind, std::string_view message,
                                         std::int64_t duration_ms, std::int64_t bytes) {
  Transaction tx(db_);
  const std::int64_t src = source_id(source, true);
  db_.prepare(
         "INSERT INTO fetch_attempt(source_id, at, outcome, error_kind, message, duration_ms, bytes) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, src)
      .bind(2, at)
      .bind(3, outcome)
      .bind(4, error_kind)
      .bind(5, message)
      .bind(6, duration_ms)
      .bind(7, bytes)
      .run();
  tx.commit();
}

std::vector<FetchAttempt> SnapshotStore::fetch_history(const std::string& source, std::int64_t limit) {
  auto st = db_.prepare(
      "SELECT f.at, f.outcome, f.error_kind, f.message, f.duration_ms, f.bytes FROM fetch_attempt f "
      "JOIN source s ON s.id = f.source_id WHERE s.name = ? ORDER BY f.id DESC LIMIT ?");
  st.bind(1, source).bind(2, limit);
  std::vector<FetchAttempt> out;
  while (st.step())
    out.push_back({st.column_int64(0), st.column_text(1), st.column_text(2), st.column_text(3), st.column_int64(4),
                   st.column_int64(5)});
  return out;
}

}  // namespace allowdrift::store
