#include "firewall/nft_netlink.h"

#include "firewall/nft_json_internal.h"
#include "firewall/nft_netlink_session.h"

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace allowdrift::firewall {
namespace nft_detail {
namespace {

// The largest nf_tables reply is a set element message: a 16-bit attribute length caps it a little above 64 KiB
// (nftables src/mnl.c, NFT_NLMSG_MAXSIZE). One recvfrom can carry several messages of a dump.
constexpr std::size_t kReplyBuffer = 65536 + 8192;

}  // namespace

std::uint16_t nfproto(const std::string& family) {
  if (family == "ip") return NFPROTO_IPV4;
  if (family == "ip6") return NFPROTO_IPV6;
  if (family == "arp") return NFPROTO_ARP;
  if (family == "bridge") return NFPROTO_BRIDGE;
  if (family == "netdev") return NFPROTO_NETDEV;
  return NFPROTO_INET;
}

ReadResult<std::unique_ptr<NetlinkSession>> NetlinkSession::open(Deadline deadline) {
  mnl_socket* socket = mnl_socket_open(NETLINK_NETFILTER);
  if (!socket) return errno_error(errno, "netlink socket");
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) < 0) {
    const int err = errno;
    mnl_socket_close(socket);
    return errno_error(err, "netlink bind");
  }
  return std::unique_ptr<NetlinkSession>(new NetlinkSession(socket, deadline));
}

NetlinkSession::NetlinkSession(mnl_socket* socket, Deadline deadline)
    : socket_(socket),
      deadline_(deadline),
      seq_(static_cast<std::uint32_t>(std::time(nullptr))),
      portid_(mnl_socket_get_portid(socket)),
      request_(static_cast<std::size_t>(MNL_SOCKET_BUFFER_SIZE)),
      reply_(kReplyBuffer) {}

NetlinkSession::~NetlinkSession() { mnl_socket_close(socket_); }

int NetlinkSession::talk(mnl_cb_t cb, CallbackState* state) {
  const auto* request = reinterpret_cast<const nlmsghdr*>(request_.data());
  const std::uint32_t seq = request->nlmsg_seq;
  if (mnl_socket_sendto(socket_, request, request->nlmsg_len) < 0) return errno;
  const int fd = mnl_socket_get_fd(socket_);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ETIMEDOUT;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(left.count() / 1'000'000);
    tv.tv_usec = static_cast<suseconds_t>(left.count() % 1'000'000);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) return errno;
    const ssize_t n = mnl_socket_recvfrom(socket_, reply_.data(), reply_.size());
    if (n < 0) {
      if (errno == EINTR) continue;  // a signal, not an interrupted dump
      return errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno;
    }
    errno = 0;
    const int ret = mnl_cb_run(reply_.data(), static_cast<std::size_t>(n), seq, portid_, cb, state);
    if (state && state->error) return ECANCELED;
    if (ret == MNL_CB_STOP) return 0;
    // libmnl: the errno of an NLMSG_ERROR, EINTR for NLM_F_DUMP_INTR, ESRCH / EPROTO for a foreign message.
    if (ret < 0) return errno != 0 ? errno : EPROTO;
  }
}

namespace {

struct GenState : CallbackState {
  std::optional<std::uint32_t> id;
};

int gen_cb(const nlmsghdr* nlh, void* data) {
  auto& state = *static_cast<GenState*>(data);
  std::unique_ptr<nftnl_gen, void (*)(const nftnl_gen*)> gen(nftnl_gen_alloc(), nftnl_gen_free);
  if (!gen || nftnl_gen_nlmsg_parse(nlh, gen.get()) < 0 || !nftnl_gen_is_set(gen.get(), NFTNL_GEN_ID)) {
    state.error = ReadError{ReadErrorKind::kIo, "netlink GETGEN: reply without a generation id"};
    return MNL_CB_ERROR;
  }
  state.id = nftnl_gen_get_u32(gen.get(), NFTNL_GEN_ID);
  return MNL_CB_OK;
}

}  // namespace

int read_generation(NetlinkSession& session, std::uint32_t& generation) {
  // NLM_F_ACK: the acknowledgement after the reply tells the receive loop it is complete.
  nftnl_nlmsg_build_hdr(session.request_buffer(), NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, session.next_seq());
  GenState state;
  if (const int err = session.talk(gen_cb, &state); err != 0) return err;
  if (!state.id) return EPROTO;
  generation = *state.id;
  return 0;
}

ReadError errno_error(int err, const std::string& what) {
  if (err == EPERM || err == EACCES) return nft_permission_error(what);
  if (err == ETIMEDOUT) return {ReadErrorKind::kTimeout, what + ": no complete answer from the kernel in time"};
  return {ReadErrorKind::kIo, what + ": " + std::strerror(err)};
}

}  // namespace nft_detail

using nft_detail::errno_error;
using nft_detail::NetlinkSession;

ReadError nft_permission_error(const std::string& what) {
  return {ReadErrorKind::kPermission, what +
                                          ": operation not permitted; reading nftables needs CAP_NET_ADMIN: "
                                          "grant AmbientCapabilities=CAP_NET_ADMIN (systemd) or run as root"};
}

ReadResult<std::uint32_t> nft_generation(const NetlinkLimits& limits) {
  auto session = NetlinkSession::open(std::chrono::steady_clock::now() + limits.timeout);
  if (!session) return session.error();
  std::uint32_t id = 0;
  if (const int err = nft_detail::read_generation(**session, id); err != 0) {
    return errno_error(err, "netlink GETGEN");
  }
  return id;
}

namespace {

struct NamesState : nft_detail::CallbackState {
  NftObjectKind kind = NftObjectKind::kTable;
  std::string table;
  std::vector<std::string> names;
};

// Names as messages show them (nft_detail::display_name): the kernel takes any bytes in a name.
int names_cb(const nlmsghdr* nlh, void* data) {
  auto& state = *static_cast<NamesState*>(data);
  const auto keep = [&](const char* table, const char* name, const char* prefix) {
    if (name && (state.kind == NftObjectKind::kTable || (table && table == state.table))) {
      state.names.push_back(prefix + nft_detail::display_name(name));
    }
  };
  switch (state.kind) {
    case NftObjectKind::kTable: {
      std::unique_ptr<nftnl_table, void (*)(const nftnl_table*)> t(nftnl_table_alloc(), nftnl_table_free);
      if (t && nftnl_table_nlmsg_parse(nlh, t.get()) >= 0)
        keep(nullptr, nftnl_table_get_str(t.get(), NFTNL_TABLE_NAME), "");
      break;
    }
    case NftObjectKind::kSet: {
      std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
      if (!s || nftnl_set_nlmsg_parse(nlh, s.get()) < 0) break;
      const auto flags = nftnl_set_get_u32(s.get(), NFTNL_SET_FLAGS);
      if ((flags & NFT_SET_ANONYMOUS) != 0) break;  // the "__set%d" of `{ ... }` in rules
      keep(nftnl_set_get_str(s.get(), NFTNL_SET_TABLE), nftnl_set_get_str(s.get(), NFTNL_SET_NAME),
           (flags & NFT_SET_MAP) != 0 ? "map " : "");
      break;
    }
    case NftObjectKind::kChain: {
      std::unique_ptr<nftnl_chain, void (*)(const nftnl_chain*)> c(nftnl_chain_alloc(), nftnl_chain_free);
      if (c && nftnl_chain_nlmsg_parse(nlh, c.get()) >= 0) {
        keep(nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE), nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME), "");
      }
      break;
    }
  }
  return MNL_CB_OK;
}

}  // namespace

ReadResult<std::vector<std::string>> nft_list_names(NftObjectKind kind, const std::string& family,
                                                    const std::string& table, const NetlinkLimits& limits) {
  auto session = NetlinkSession::open(std::chrono::steady_clock::now() + limits.timeout);
  if (!session) return session.error();
  auto& s = **session;
  const std::uint16_t type = kind == NftObjectKind::kTable ? NFT_MSG_GETTABLE
                             : kind == NftObjectKind::kSet ? NFT_MSG_GETSET
                                                           : NFT_MSG_GETCHAIN;
  auto* nlh = nftnl_nlmsg_build_hdr(s.request_buffer(), type, nft_detail::nfproto(family), NLM_F_DUMP, s.next_seq());
  if (kind != NftObjectKind::kTable) mnl_attr_put_strz(nlh, NFTA_SET_TABLE, table.c_str());  // == NFTA_CHAIN_TABLE
  NamesState state;
  state.kind = kind;
  state.table = table;
  if (const int err = s.talk(names_cb, &state); err != 0) return errno_error(err, "netlink list");
  return std::move(state.names);
}

ReadError nft_not_found(NftObjectKind kind, const NftName& name, const NetlinkLimits& limits) {
  const std::string what = kind == NftObjectKind::kSet ? "set" : "chain";
  auto tables = nft_list_names(NftObjectKind::kTable, name.family, {}, limits);
  if (!tables) return tables.error();
  const bool table_exists = std::find(tables->begin(), tables->end(), name.table) != tables->end();
  if (!table_exists) {
    return {ReadErrorKind::kNotFound, "table " + name.family + "/" + name.table + " does not exist (looking for " +
                                          what + " " + name.to_string() + "); tables of family " + name.family + ": " +
                                          list_names(*tables)};
  }
  auto names = nft_list_names(kind, name.family, name.table, limits);
  if (!names) return names.error();
  return {ReadErrorKind::kNotFound, what + " " + name.to_string() + " does not exist; " + what + "s of table " +
                                        name.family + "/" + name.table + ": " + list_names(*names)};
}

}  // namespace allowdrift::firewall
