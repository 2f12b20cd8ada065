#include "app/source_refresh.h"

#include "config/quantity.h"
#include "feeds/list_guards.h"
#include "feeds/version_gate.h"
#include "store/sha256.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <system_error>

namespace allowdrift::app {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

net::FetchRequest request_for(const config::SourceConfig& source, const std::string& url,
                              const RefreshContext& context) {
  net::FetchRequest r;
  if (context.run_deadline) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(*context.run_deadline - std::chrono::steady_clock::now());
    r.overall_deadline = std::max(left, std::chrono::milliseconds{1});  // 0 would mean "none"
  }
  r.url = url;
  r.connect_timeout = source.fetch.connect_timeout;
  r.deadline = source.fetch.timeout;
  r.body_limit = static_cast<std::size_t>(source.fetch.max_body);
  r.retry.max_attempts = source.fetch.retries;
  r.max_redirects = source.fetch.max_redirects;
  r.ca_file = source.ca_file;
  r.proxy = context.proxy;
  return r;
}

feeds::ExtractedList as_extracted(std::vector<store::SectionContent> sections) {
  feeds::ExtractedList list;
  for (auto& s : sections) {
    feeds::ExtractedSection out;
    out.name = std::move(s.name);
    out.ips = std::move(s.ips);
    out.domains = std::move(s.domains);
    list.sections.push_back(std::move(out));
  }
  return list;
}

std::vector<store::SectionContent> as_sections(const feeds::ExtractedList& list) {
  std::vector<store::SectionContent> out;
  for (const auto& s : list.sections) out.push_back({s.name, s.ips, s.domains});
  return out;
}

// A body's digest and the list extracted from it.
struct Extracted {
  std::string body_sha256;
  model::ParseResult<feeds::ExtractedList> list;
};

// A large body's digest is taken on a thread of its own while the list is extracted (AWS's 2.6 MB: 1.3 ms of the 5
// both take).
constexpr std::size_t kDigestAsideBytes = 512 * 1024;

Extracted digest_and_extract(const std::string& body, const feeds::SourceSpec& spec) {
  if (body.size() < kDigestAsideBytes) return {store::sha256_hex(body), feeds::extract(body, spec)};
  std::future<std::string> aside;
  try {
    aside = std::async(std::launch::async, [&body] { return store::sha256_hex(body); });
  } catch (const std::system_error&) {
    return {store::sha256_hex(body), feeds::extract(body, spec)};  // no thread to be had: one after the other
  }
  auto list = feeds::extract(body, spec);
  return {aside.get(), std::move(list)};
}

template <class T>
boost::asio::awaitable<T> call(std::function<T()> work) {
  co_return work();
}

// `work` on `executor` when there is one, else here, resuming here with its result or its exception. (A named
// std::function and a named job, no temporary made inside the co_await: GCC 12 destroyed a lambda temporary there
// twice.)
template <class T>
boost::asio::awaitable<T> run_on(const std::optional<boost::asio::any_io_executor>& executor, std::function<T()> work) {
  if (!executor) co_return work();
  auto job = call<T>(std::move(work));
  co_return co_await boost::asio::co_spawn(*executor, std::move(job), boost::asio::use_awaitable);
}

}  // namespace

std::string_view to_string(RefreshKind kind) {
  switch (kind) {
    case RefreshKind::kChanged:
      return "changed";
    case RefreshKind::kBaseline:
      return "baseline";
    case RefreshKind::kUnchanged:
      return "unchanged";
    case RefreshKind::kSuspect:
      return "suspect";
    case RefreshKind::kRejected:
      return "rejected";
    case RefreshKind::kFailed:
      return "failed";
  }
  return "failed";
}

boost::asio::awaitable<RefreshOutcome> refresh_source(const config::SourceConfig& source, RefreshContext context) {
  RefreshOutcome out;
  out.source = source.name;
  auto started = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };
  auto& store = context.store;
  std::function<std::optional<store::SnapshotInfo>()> read_last = [&] { return store.last_accepted(source.name); };
  const auto last = co_await run_on(context.store_executor, std::move(read_last));
  // --once: wait for a fetch slot, held across this source's fetches; its times start once it has one.
  std::optional<FetchSlots::Turn> turn;
  if (context.fetch_slots != nullptr) {
    co_await context.fetch_slots->take(context.run_deadline.value_or(std::chrono::steady_clock::time_point::max()));
    turn.emplace(*context.fetch_slots);
    started = std::chrono::steady_clock::now();
  }
  const auto attempt = [&](std::int64_t at, std::string_view outcome, std::string_view error_kind,
                           std::string_view message, std::int64_t bytes) {
    store.record_fetch_attempt(source.name, at, outcome, error_kind, message, elapsed_ms(), bytes);
  };
  // What follows the last network wait is one transaction (one commit per source and cycle); none is ever open
  // across a co_await, where another source's coroutine could write into it.
  const auto finish = [&](store::Transaction& tx, RefreshOutcome o) {
    tx.commit();
    o.duration_ms = elapsed_ms();
    return o;
  };

  // The last accepted content again (304, same version, or the same list in a new body): only last-confirmed
  // moves, with the new body's validators when there is one.
  const auto confirm = [&](const std::string& why, std::int64_t at, const store::SnapshotInput* fetched,
                           std::int64_t bytes) {
    store.confirm(last->id, at, fetched);
    attempt(at, "unchanged", "", why, bytes);
    out.kind = RefreshKind::kUnchanged;
    out.snapshot_id = last->id;
    out.message = why;
  };

  // Version endpoint first (Microsoft 365): the list itself is fetched only when the version moved.
  std::optional<std::string> version;
  if (source.spec.version_url && source.spec.version_select) {
    auto fetched = co_await context.fetcher.fetch(request_for(source, *source.spec.version_url, context));
    std::function<std::optional<RefreshOutcome>()> settle_version = [&]() -> std::optional<RefreshOutcome> {
      store::Transaction tx(store.database());
      if (!fetched) {
        attempt(now_ms(), "failed", net::to_string(fetched.error().kind), "version: " + fetched.error().message, 0);
        out.kind = RefreshKind::kFailed;
        out.error_kind = net::to_string(fetched.error().kind);
        out.message = "version endpoint: " + fetched.error().message;
        return finish(tx, std::move(out));
      }
      auto parsed = feeds::parse_version(fetched->body, *source.spec.version_select);
      if (!parsed) {
        attempt(now_ms(), "failed", "parse", "version: " + parsed.error().message,
                static_cast<std::int64_t>(fetched->body.size()));
        out.kind = RefreshKind::kRejected;
        out.error_kind = "parse";
        out.message = "version document: " + parsed.error().message;
        return finish(tx, std::move(out));
      }
      version = *parsed;
      if (last && feeds::check_version(last->change_token, *version) == feeds::VersionCheck::kUnchanged) {
        confirm("version " + *version + " unchanged", now_ms(), nullptr, 0);
        return finish(tx, std::move(out));
      }
      tx.commit();  // nothing written: ends the transaction before the next wait
      return std::nullopt;
    };
    if (auto done = co_await run_on(context.store_executor, std::move(settle_version))) co_return std::move(*done);
  }

  auto request = request_for(source, source.spec.url, context);
  if (last) request.validators = {last->etag, last->last_modified};
  const auto fetched_at = now_ms();
  auto fetched = co_await context.fetcher.fetch(request);
  turn.reset();  // the next source may fetch while this one is stored
  // From here on nothing waits for the network: one transaction, on the store's thread when it has one.
  std::function<RefreshOutcome()> settle = [&]() -> RefreshOutcome {
    store::Transaction tx(store.database());
    if (!fetched) {
      attempt(fetched_at, "failed", net::to_string(fetched.error().kind), fetched.error().message, 0);
      out.kind = RefreshKind::kFailed;
      out.error_kind = net::to_string(fetched.error().kind);
      out.message = fetched.error().message;
      return finish(tx, std::move(out));
    }
    if (fetched->not_modified) {
      if (last) {
        confirm("not modified (304)", now_ms(), nullptr, 0);
      } else {
        out.kind = RefreshKind::kFailed;
        out.error_kind = "http_status";
        out.message = "304 Not Modified without a previous list";
      }
      return finish(tx, std::move(out));
    }

    store::SnapshotInput input;
    input.source = source.name;
    input.fetched_at = fetched_at;
    input.etag = fetched->validators.etag;
    input.last_modified = fetched->validators.last_modified;
    input.final_url = fetched->final_url;
    const auto bytes = static_cast<std::int64_t>(fetched->wire_bytes);
    auto [body_sha256, list] = digest_and_extract(fetched->body, source.spec);
    input.body_sha256 = std::move(body_sha256);
    if (!list) {
      input.status = store::SnapshotStatus::kRejected;
      input.reason = list.error().message;
      store.record(input);
      attempt(fetched_at, "failed", "parse", list.error().message, bytes);
      out.kind = RefreshKind::kRejected;
      out.error_kind = "parse";
      out.message = list.error().message;
      return finish(tx, std::move(out));
    }
    if (version) list->change_token = version;
    input.change_token = list->change_token;
    std::optional<feeds::ExtractedList> previous;
    if (last) previous = as_extracted(store.content(last->id));
    const auto report = feeds::judge(*list, previous ? &*previous : nullptr, source.spec.guards);
    std::string reasons;
    for (const auto& r : report.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
    input.reason = reasons;
    input.status = report.verdict == feeds::Verdict::kAccept    ? store::SnapshotStatus::kAccepted
                   : report.verdict == feeds::Verdict::kSuspect ? store::SnapshotStatus::kSuspect
                                                                : store::SnapshotStatus::kRejected;
    if (report.verdict != feeds::Verdict::kReject) input.sections = as_sections(*list);
    if (last && report.verdict != feeds::Verdict::kReject &&
        store::content_sha256(input.sections) == last->content_sha256) {
      // The last accepted list again (after a suspect one, say): confirmed, not stored as a new snapshot.
      confirm("same content as the last accepted list", fetched_at, &input, bytes);
      return finish(tx, std::move(out));
    }
    const auto recorded = store.record(input);
    out.snapshot_id = recorded.snapshot_id;
    auto verdict = report.verdict;
    std::string accepted_because;
    if (verdict == feeds::Verdict::kSuspect) {
      // Held since this content first arrived, or since the old list was last confirmed (a 304 or an unchanged
      // version in between means the vendor published the old list again: the hold starts over). Published
      // unchanged long enough, it is the vendor's list now.
      const auto first_seen = store.snapshot(recorded.snapshot_id)->fetched_at;
      const auto since = std::max(first_seen, last ? last->confirmed_at : first_seen);
      const auto held = std::chrono::seconds{(fetched_at - since) / 1000};
      if (source.fetch.accept_suspect_after && held >= *source.fetch.accept_suspect_after) {
        accepted_because = "accepted after being published unchanged for " + config::format_duration(held) +
                           " (held back as suspect: " + reasons + ")";
        store.accept_suspect(recorded.snapshot_id, accepted_because);
        verdict = feeds::Verdict::kAccept;
      }
    }
    switch (verdict) {
      case feeds::Verdict::kReject:
        attempt(fetched_at, "failed", "rejected", reasons, bytes);
        out.kind = RefreshKind::kRejected;
        out.error_kind = "rejected";
        out.message = reasons;
        break;
      case feeds::Verdict::kSuspect:
        attempt(fetched_at, "changed", "", "held back as suspect: " + reasons, bytes);
        out.kind = RefreshKind::kSuspect;
        out.message = reasons;
        break;
      case feeds::Verdict::kAccept:
        attempt(fetched_at, recorded.created || !accepted_because.empty() ? "changed" : "unchanged", "",
                accepted_because, bytes);
        out.accepted_content = std::make_shared<const std::vector<store::SectionContent>>(std::move(input.sections));
        if (!last) {
          out.kind = RefreshKind::kBaseline;
        } else if (!recorded.created && accepted_because.empty()) {
          out.kind = RefreshKind::kUnchanged;
          out.message = "same content";
        } else {
          out.kind = RefreshKind::kChanged;
          out.message = accepted_because;
          for (auto& c : store.changes(last->id, recorded.snapshot_id)) {
            for (auto& a : c.added) out.added.push_back(c.section.empty() ? a : c.section + ": " + a);
            for (auto& r : c.removed) out.removed.push_back(c.section.empty() ? r : c.section + ": " + r);
          }
        }
        break;
    }
    return finish(tx, std::move(out));
  };
  co_return co_await run_on(context.store_executor, std::move(settle));
}

}  // namespace allowdrift::app
