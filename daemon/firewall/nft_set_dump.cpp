// nft_dump_set (nft_netlink.h): one named set's description (NFT_MSG_GETSET) and elements (NFT_MSG_GETSETELEM
// with NLM_F_DUMP), between two generation reads.
#include "firewall/nft_elements.h"
#include "firewall/nft_netlink.h"
#include "firewall/nft_netlink_session.h"

#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <array>
#include <cerrno>

namespace allowdrift::firewall {
namespace {

using nft_detail::CallbackState;
using nft_detail::errno_error;
using nft_detail::NetlinkSession;

constexpr int kAttempts = 3;
constexpr std::uint32_t kTypeIpv4 = 7;  // nftables datatype ids (nftables include/datatype.h, enum datatypes)
constexpr std::uint32_t kTypeIpv6 = 8;
constexpr std::uint32_t kTypeBits = 6;  // a concatenation packs its types 6 bits each, first type highest

std::string type_name(std::uint32_t type) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 11> kNames = {{
      {kTypeIpv4, "ipv4_addr"},
      {kTypeIpv6, "ipv6_addr"},
      {4, "integer"},
      {5, "string"},
      {9, "ether_addr"},
      {10, "ether_type"},
      {12, "inet_proto"},
      {13, "inet_service"},
      {19, "mark"},
      {20, "iface_index"},
      {41, "ifname"},
  }};
  std::string out;
  do {
    const std::uint32_t part = type & ((1u << kTypeBits) - 1);
    std::string name = "type " + std::to_string(part);
    for (const auto& [id, text] : kNames) {
      if (id == part) name = text;
    }
    out = out.empty() ? name : name + " . " + out;
    type >>= kTypeBits;
  } while (type != 0);
  return out;
}

model::U128 big_endian(const void* data, std::uint32_t length) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  model::U128 v = 0;
  for (std::uint32_t i = 0; i < length; ++i) v = (v << 8) | bytes[i];
  return v;
}

struct SetInfo : CallbackState {
  bool found = false;
  std::uint32_t key_type = 0;
  std::uint32_t key_len = 0;
  std::uint32_t flags = 0;
};

int set_cb(const nlmsghdr* nlh, void* data) {
  auto& info = *static_cast<SetInfo*>(data);
  std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
  if (!s || nftnl_set_nlmsg_parse(nlh, s.get()) < 0) {
    info.error = ReadError{ReadErrorKind::kIo, "netlink GETSET: cannot parse the kernel's set description"};
    return MNL_CB_ERROR;
  }
  info.found = true;
  info.key_type = nftnl_set_get_u32(s.get(), NFTNL_SET_KEY_TYPE);
  info.key_len = nftnl_set_get_u32(s.get(), NFTNL_SET_KEY_LEN);
  info.flags = nftnl_set_get_u32(s.get(), NFTNL_SET_FLAGS);
  return MNL_CB_OK;
}

struct ElemState : CallbackState {
  std::uint32_t key_len = 0;
  std::size_t max_elements = 0;
  std::string what;
  std::vector<NftRawElement> elements;
};

int elem_each(nftnl_set_elem* e, void* data) {
  auto& state = *static_cast<ElemState*>(data);
  const std::uint32_t flags =
      nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) ? nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) : 0;
  if (flags & NFT_SET_ELEM_CATCHALL) {
    state.error = ReadError{ReadErrorKind::kUnsupported, state.what +
                                                             " has a catch-all element (it matches every "
                                                             "address); it cannot be read as a list"};
    return -1;
  }
  std::uint32_t length = 0;
  const void* key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &length);
  if (!key || length != state.key_len) {
    state.error = ReadError{ReadErrorKind::kParse,
                            state.what + ": an element without a key of " + std::to_string(state.key_len) + " bytes"};
    return -1;
  }
  NftRawElement raw;
  raw.key = big_endian(key, length);
  raw.interval_end = (flags & NFT_SET_ELEM_INTERVAL_END) != 0;
  if (const void* end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &length)) {
    if (length != state.key_len) {
      state.error = ReadError{ReadErrorKind::kParse, state.what + ": an element whose range end has a wrong length"};
      return -1;
    }
    raw.key_end = big_endian(end, length);
  }
  if (state.elements.size() >= state.max_elements) {
    state.error = ReadError{ReadErrorKind::kOutputTooLarge,
                            state.what + " has more than " + std::to_string(state.max_elements) + " elements"};
    return -1;
  }
  state.elements.push_back(raw);
  return 0;
}

// One message of the dump: parsed into a short-lived nftnl_set, so memory holds one message's elements at a time.
int elem_cb(const nlmsghdr* nlh, void* data) {
  auto& state = *static_cast<ElemState*>(data);
  std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
  if (!s || nftnl_set_elems_nlmsg_parse(nlh, s.get()) < 0) {
    state.error = ReadError{ReadErrorKind::kIo, state.what + ": cannot parse a set element message"};
    return MNL_CB_ERROR;
  }
  nftnl_set_elem_foreach(s.get(), elem_each, &state);
  return state.error ? MNL_CB_ERROR : MNL_CB_OK;
}

std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> set_handle(const NftName& name) {
  std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
  if (!s) throw std::bad_alloc();
  nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, name.table.c_str());
  nftnl_set_set_str(s.get(), NFTNL_SET_NAME, name.name.c_str());
  return s;
}

// One attempt; EINTR / ENOBUFS / a moved generation come back as `retry`.
ReadResult<Allowlist> attempt(NetlinkSession& session, const NftName& name, const NetlinkLimits& limits, bool& retry) {
  const std::string what = "set " + name.to_string();
  const auto family = nft_detail::nfproto(name.family);
  const auto failed = [&](int err, const char* request) -> ReadResult<Allowlist> {
    if (err == EINTR || err == ENOBUFS) {
      retry = true;
      return ReadError{ReadErrorKind::kIo, what + ": the dump was interrupted by ruleset changes"};
    }
    if (err == ENOENT) return nft_not_found(NftObjectKind::kSet, name, limits);
    if (err == EPERM || err == EACCES) return nft_permission_error("reading " + what);
    return errno_error(err, std::string("netlink ") + request + " " + what);
  };
  std::uint32_t generation = 0;
  if (const int err = nft_detail::read_generation(session, generation); err != 0) return failed(err, "GETGEN");

  auto handle = set_handle(name);
  auto* nlh = nftnl_nlmsg_build_hdr(session.request_buffer(), NFT_MSG_GETSET, family, NLM_F_ACK, session.next_seq());
  nftnl_set_nlmsg_build_payload(nlh, handle.get());
  SetInfo info;
  if (const int err = session.talk(set_cb, &info); err != 0)
    return err == ECANCELED ? *info.error : failed(err, "GETSET");
  if (!info.found) return nft_not_found(NftObjectKind::kSet, name, limits);
  if (info.flags & NFT_SET_MAP) return ReadError{ReadErrorKind::kUnsupported, what + " is a map, not a set"};
  if (info.key_type != kTypeIpv4 && info.key_type != kTypeIpv6) {
    return ReadError{ReadErrorKind::kUnsupported, what + " has type " + type_name(info.key_type) +
                                                      "; only ipv4_addr and ipv6_addr sets can be read"};
  }
  const auto addr_family = info.key_type == kTypeIpv4 ? model::Family::kV4 : model::Family::kV6;
  if (info.key_len != (addr_family == model::Family::kV4 ? 4u : 16u)) {
    return ReadError{ReadErrorKind::kParse, what + ": key length " + std::to_string(info.key_len) +
                                                " does not fit its type " + type_name(info.key_type)};
  }

  nlh = nftnl_nlmsg_build_hdr(session.request_buffer(), NFT_MSG_GETSETELEM, family, NLM_F_DUMP, session.next_seq());
  nftnl_set_elems_nlmsg_build_payload(nlh, handle.get());
  ElemState elems;
  elems.key_len = info.key_len;
  elems.max_elements = limits.max_elements;
  elems.what = what;
  if (const int err = session.talk(elem_cb, &elems); err != 0) {
    return err == ECANCELED ? *elems.error : failed(err, "GETSETELEM");
  }
  std::uint32_t after = 0;
  if (const int err = nft_detail::read_generation(session, after); err != 0) return failed(err, "GETGEN");
  if (after != generation) {
    retry = true;
    return ReadError{ReadErrorKind::kIo, what + ": the ruleset changed while it was read"};
  }

  auto entries =
      nft_elements_to_entries(std::move(elems.elements), addr_family, (info.flags & NFT_SET_INTERVAL) != 0, what);
  if (!entries) return entries.error();
  Allowlist out;
  out.ips.reserve(entries->size());
  for (const auto& e : *entries) out.ips.push_back({e, what});
  return out;
}

}  // namespace

ReadResult<Allowlist> nft_dump_set(const NftName& name, const NetlinkLimits& limits) {
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  ReadResult<Allowlist> result = ReadError{};
  for (int i = 0; i < kAttempts; ++i) {
    // A fresh socket each time: an interrupted dump leaves the rest of its messages queued on the old one.
    auto session = NetlinkSession::open(deadline);
    if (!session) return session.error();
    bool retry = false;
    result = attempt(**session, name, limits, retry);
    if (!retry) return result;
  }
  // result::error() returns a copy: amend the copy and return it.
  ReadError error = result.error();
  error.message += " (" + std::to_string(kAttempts) + " attempts)";
  return error;
}

}  // namespace allowdrift::firewall
