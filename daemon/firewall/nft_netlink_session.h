// One netlink socket to nf_tables with a deadline: send a request, run a libmnl callback on each reply message
// until the kernel's acknowledgement or NLMSG_DONE. Internal to nft_netlink.cpp and nft_set_dump.cpp.
#pragma once

#include "firewall/read_error.h"

#include <libmnl/libmnl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::firewall::nft_detail {

using Deadline = std::chrono::steady_clock::time_point;

// NFPROTO_* of an nft family name ("inet" -> NFPROTO_INET).
std::uint16_t nfproto(const std::string& family);

// What a callback found wrong in a reply (it returns MNL_CB_ERROR after setting it).
struct CallbackState {
  std::optional<ReadError> error;
};

class NetlinkSession {
 public:
  // Opens and binds the socket; kIo on failure.
  static ReadResult<std::unique_ptr<NetlinkSession>> open(Deadline deadline);
  ~NetlinkSession();
  NetlinkSession(const NetlinkSession&) = delete;
  NetlinkSession& operator=(const NetlinkSession&) = delete;

  // A request buffer for nftnl_nlmsg_build_hdr, and the sequence number to build it with.
  char* request_buffer() { return request_.data(); }
  std::uint32_t next_seq() { return ++seq_; }

  // Sends the request built in request_buffer() and runs `cb` (with `state` as its data, which must derive from
  // CallbackState) on every reply until the ack or NLMSG_DONE. Returns 0 or an errno: the kernel's (EPERM,
  // ENOENT, ...), EINTR for a dump the kernel flagged as interrupted, ETIMEDOUT past the deadline, ENOBUFS, or
  // ECANCELED when the callback set state.error.
  int talk(mnl_cb_t cb, CallbackState* state);

 private:
  NetlinkSession(mnl_socket* socket, Deadline deadline);
  mnl_socket* socket_;
  Deadline deadline_;
  std::uint32_t seq_;
  std::uint32_t portid_;
  std::vector<char> request_;
  std::vector<char> reply_;
};

// The generation id, read on an open session; an errno on failure.
int read_generation(NetlinkSession& session, std::uint32_t& generation);

// The ReadError for an errno from talk(): kPermission, kTimeout, or kIo naming `what` ("netlink GETSETELEM").
ReadError errno_error(int err, const std::string& what);

}  // namespace allowdrift::firewall::nft_detail
