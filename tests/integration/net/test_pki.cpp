#include "test_pki.h"

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

namespace allowdrift::net::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

constexpr long kDay = 24L * 60 * 60;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

Pkey new_key() {
  Pkey key{EVP_EC_gen("P-256")};
  check(key != nullptr, "EVP_EC_gen(P-256)");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(added == 1, "X509_add_ext");
}

struct Spec {
  std::string common_name;
  std::string san;  // empty: none
  bool is_ca = false;
  long not_before = -kDay;  // seconds from now
  long not_after = 30 * kDay;
};

// Issues a certificate for subject_key; a null issuer means self-signed.
Cert issue(const Spec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  Cert cert{X509_new()};
  check(cert != nullptr, "X509_new");
  X509* x = cert.get();
  check(X509_set_version(x, X509_VERSION_3) == 1, "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1, "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(x), spec.not_before) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(x), spec.not_after) != nullptr, "notAfter");
  X509_NAME* name = X509_get_subject_name(x);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0) == 1,
        "subject CN");
  check(X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1, "issuer name");
  check(X509_set_pubkey(x, subject_key) == 1, "X509_set_pubkey");
  X509* ext_issuer = issuer != nullptr ? issuer : x;
  if (spec.is_ca) {
    add_ext(x, ext_issuer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x, ext_issuer, NID_basic_constraints, "CA:FALSE");
    add_ext(x, ext_issuer, NID_ext_key_usage, "serverAuth");
  }
  add_ext(x, ext_issuer, NID_subject_key_identifier, "hash");
  if (!spec.san.empty()) add_ext(x, ext_issuer, NID_subject_alt_name, spec.san.c_str());
  check(X509_sign(x, issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::unique_ptr<std::FILE, FileClose> open_for_write(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, FileClose> f{std::fopen(path.c_str(), "wb")};
  check(f != nullptr, "fopen");
  return f;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  auto f = open_for_write(path);
  check(PEM_write_X509(f.get(), cert) == 1, "PEM_write_X509");
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
  auto f = open_for_write(path);
  check(PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM_write_PrivateKey");
}

CertFiles write_leaf(const std::filesystem::path& dir, const std::string& name, X509* cert, EVP_PKEY* key) {
  CertFiles files{dir / (name + ".crt"), dir / (name + ".key")};
  write_cert(files.cert, cert);
  write_key(files.key, key);
  return files;
}

// The length of every DNS name in the certificate's SAN, read back from its PEM file.
std::vector<int> san_dns_lengths(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, FileClose> f{std::fopen(path.c_str(), "rb")};
  check(f != nullptr, "fopen");
  Cert cert{PEM_read_X509(f.get(), nullptr, nullptr, nullptr)};
  check(cert != nullptr, "PEM_read_X509");
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  check(names != nullptr, "X509_get_ext_d2i(subjectAltName)");
  std::vector<int> lengths;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) lengths.push_back(ASN1_STRING_length(name->d.dNSName));
  }
  GENERAL_NAMES_free(names);
  return lengths;
}

}  // namespace

TestPki::TestPki(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string localhost_san = "DNS:localhost,IP:127.0.0.1";

  Pkey ca_key = new_key();
  Cert ca = issue({"allowdrift Test CA", "", true, -kDay, 3650 * kDay}, ca_key.get(), nullptr, ca_key.get());
  ca_file_ = dir / "ca.crt";
  write_cert(ca_file_, ca.get());

  Pkey other_ca_key = new_key();
  Cert other_ca =
      issue({"allowdrift Other CA", "", true, -kDay, 3650 * kDay}, other_ca_key.get(), nullptr, other_ca_key.get());
  write_cert(dir / "other-ca.crt", other_ca.get());

  // One leaf key is enough: the checks under test are about the certificates, not the keys.
  Pkey leaf_key = new_key();
  EVP_PKEY* lk = leaf_key.get();
  auto leaf = [&](const std::string& name, const Spec& spec, X509* issuer, EVP_PKEY* issuer_key) {
    Cert cert = issue(spec, lk, issuer, issuer_key);
    return write_leaf(dir, name, cert.get(), lk);
  };
  good_ = leaf("good", {"localhost", localhost_san}, ca.get(), ca_key.get());
  self_signed_ = leaf("self-signed", {"localhost", localhost_san}, nullptr, lk);
  expired_ = leaf("expired", {"localhost", localhost_san, false, -60 * kDay, -30 * kDay}, ca.get(), ca_key.get());
  not_yet_valid_ =
      leaf("not-yet-valid", {"localhost", localhost_san, false, 30 * kDay, 60 * kDay}, ca.get(), ca_key.get());
  wrong_host_ = leaf("wrong-host", {"wrong.example", "DNS:wrong.example"}, ca.get(), ca_key.get());
  unknown_ca_ = leaf("unknown-ca", {"localhost", localhost_san}, other_ca.get(), other_ca_key.get());

  cn_right_san_wrong_ = leaf("cn-right-san-wrong", {"localhost", "DNS:wrong.example"}, ca.get(), ca_key.get());
  // SEQUENCE { [2] IA5String "localhost\0.evil" }, as DER: the config syntax "DNS:" cannot carry a NUL.
  nul_in_san_ = leaf("nul-in-san", {"localhost", "DER:30:11:82:0f:6c:6f:63:61:6c:68:6f:73:74:00:2e:65:76:69:6c"},
                     ca.get(), ca_key.get());
  check(san_dns_lengths(nul_in_san_.cert) == std::vector<int>{15}, "NUL kept in the SAN");
  san_first_matches_ = leaf("san-first-matches", {"other.example", "DNS:localhost,DNS:other.example,DNS:third.example"},
                            ca.get(), ca_key.get());
  san_last_matches_ = leaf("san-last-matches", {"other.example", "DNS:first.example,DNS:other.example,DNS:localhost"},
                           ca.get(), ca_key.get());
}

namespace {
std::filesystem::path temp_dir_for(const std::string& tag) {
  return std::filesystem::temp_directory_path() / ("allowdrift-" + tag + "-" + std::to_string(::getpid()));
}
}  // namespace

TempPki::TempPki(const std::string& tag) : TestPki(temp_dir_for(tag)), dir_(temp_dir_for(tag)) {}

TempPki::~TempPki() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace allowdrift::net::testing
