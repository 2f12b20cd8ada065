// Client-side TLS session resumption. A process that fetches several lists from one host (`--once`, a vendor's
// version endpoint and list, a retry) does one full handshake there and resumes the others: no certificate chain
// to parse and verify again, on either side.
//
// The cache belongs to one SSL_CTX, which holds one trust store, and a session is offered only to the host:port it
// was issued for: a resumed connection is one whose certificate was verified, for that name, under that trust.
// TLS 1.3 tickets are used once (RFC 8446 C.4); TLS 1.2 sessions are reused until they expire. Each peer keeps
// the few newest sessions it issued.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace allowdrift::net {

// Gives `ctx` a session cache of its own, freed with it.
void enable_session_resumption(SSL_CTX* ctx);

// Before the handshake: offers a cached session of `peer` ("host:port"), and files the sessions the server issues
// on this connection under `peer`. Does nothing when the connection's context has no cache.
void resume_session(SSL* ssl, const std::string& peer);

}  // namespace allowdrift::net
