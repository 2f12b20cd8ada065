// The client TLS context: TLS 1.2 at least (1.3 allowed), peer verification always on, trust from the system
// store (checked to be usable) or from one CA file. There is deliberately no way to turn verification off.
#pragma once

#include "net/fetch_types.h"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace allowdrift::net {

// With `ca_file`: only the certificates in that PEM file are trusted (it must hold at least one). Without: the
// system store, honouring SSL_CERT_FILE / SSL_CERT_DIR as OpenSSL does. kConfig, naming the file or directory,
// when no certificate would load from it (SSL_CERT_FILE when set, else SSL_CERT_DIR when set, else OpenSSL's
// default file and directory), since OpenSSL itself would "succeed" with no trust anchors at all.
boost::system::result<std::shared_ptr<boost::asio::ssl::context>, FetchError> make_tls_client_context(
    const std::optional<std::string>& ca_file);

// Why `ca_file` would not do as a source's or webhook's trust store (unreadable, no PEM certificate, a certificate
// that does not parse), as make_tls_client_context would find; nullopt when it gives at least one certificate.
// For the configuration's checks, without building a TLS context. `parse` false: only that the file reads and
// holds a PEM certificate block, without OpenSSL (whose certificate code, once run, stays resident: 2.3 MB of
// the idle daemon, which fetches in worker processes).
std::optional<std::string> check_ca_file(const std::string& ca_file, bool parse = true);

}  // namespace allowdrift::net
