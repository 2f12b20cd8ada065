#include "net/tls_session_cache.h"

#include <ctime>
#include <deque>
#include <map>
#include <mutex>

namespace allowdrift::net {
namespace {

constexpr std::size_t kSessionsPerPeer = 4;
// Peers are the configured sources' hosts and where they redirect: a bound on what redirects could add.
constexpr std::size_t kPeers = 256;

struct SessionCache {
  std::mutex mu;
  std::map<std::string, std::deque<SSL_SESSION*>> by_peer;  // oldest first; each holds one reference

  ~SessionCache() {
    for (auto& [peer, sessions] : by_peer)
      for (SSL_SESSION* s : sessions) SSL_SESSION_free(s);
  }
};

void free_cache(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<SessionCache*>(ptr); }
void free_peer(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<std::string*>(ptr); }

int cache_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_cache);
  return index;
}

int peer_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_peer);
  return index;
}

bool expired(const SSL_SESSION* s, std::time_t now) {
  return SSL_SESSION_is_resumable(s) != 1 || SSL_SESSION_get_time(s) + SSL_SESSION_get_timeout(s) <= now;
}

// OpenSSL calls this for every session the server issues (TLS 1.3: each ticket, after the handshake). 1: the
// cache keeps the reference it is handed.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* cache = static_cast<SessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
  const auto* peer = static_cast<const std::string*>(SSL_get_ex_data(ssl, peer_index()));
  if (cache == nullptr || peer == nullptr) return 0;
  std::lock_guard lock(cache->mu);
  if (cache->by_peer.size() >= kPeers && cache->by_peer.count(*peer) == 0) return 0;  // not kept
  auto& sessions = cache->by_peer[*peer];
  sessions.push_back(session);
  while (sessions.size() > kSessionsPerPeer) {
    SSL_SESSION_free(sessions.front());
    sessions.pop_front();
  }
  return 1;
}

}  // namespace

void enable_session_resumption(SSL_CTX* ctx) {
  // NO_INTERNAL_STORE: OpenSSL's own client cache is keyed by session id, not by peer; this one is.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  auto* cache = new SessionCache;
  if (SSL_CTX_set_ex_data(ctx, cache_index(), cache) != 1) delete cache;  // no cache: every handshake is full
}

void resume_session(SSL* ssl, const std::string& peer) {
  auto* cache = static_cast<SessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
  if (cache == nullptr) return;
  auto* key = new std::string(peer);
  if (SSL_set_ex_data(ssl, peer_index(), key) != 1) {
    delete key;
    return;
  }
  SSL_SESSION* offer = nullptr;
  {
    std::lock_guard lock(cache->mu);
    const auto it = cache->by_peer.find(peer);
    if (it == cache->by_peer.end()) return;
    auto& sessions = it->second;
    const std::time_t now = std::time(nullptr);
    while (!sessions.empty() && offer == nullptr) {
      SSL_SESSION* newest = sessions.back();
      if (expired(newest, now)) {
        sessions.pop_back();
        SSL_SESSION_free(newest);
        continue;
      }
      offer = newest;
      if (SSL_SESSION_get_protocol_version(newest) >= TLS1_3_VERSION) {
        sessions.pop_back();  // a ticket is used once: the cache's reference passes to this connection
      } else if (SSL_SESSION_up_ref(newest) != 1) {
        offer = nullptr;
        break;
      }
    }
    if (sessions.empty()) cache->by_peer.erase(it);
  }
  if (offer == nullptr) return;
  SSL_set_session(ssl, offer);  // takes a reference of its own (or fails: a full handshake then)
  SSL_SESSION_free(offer);
}

}  // namespace allowdrift::net
