#include "firewall/nft_readers.h"

#include "firewall/file_reader.h"
#include "firewall/nft_json.h"
#include "firewall/nft_netlink.h"

#include <nftables/libnftables.h>

#include <string_view>

namespace allowdrift::firewall {
namespace {

constexpr int kAttempts = 3;

NetlinkLimits limits_of(const ReaderOptions& options) {
  NetlinkLimits limits;
  limits.timeout = options.tool_timeout;
  limits.max_elements = options.max_output_bytes / 16;  // an element is at least 16 bytes of netlink message
  return limits;
}

NftName name_of(const TargetSpec& spec) { return {spec.family, spec.table, spec.name}; }

ReadResult<ChangeSignal> generation_signal(const NetlinkLimits& limits) {
  auto id = nft_generation(limits);
  if (!id) return id.error();
  return ChangeSignal{"nft-gen:" + std::to_string(*id)};
}

class NftSetReader final : public AllowlistReader {
 public:
  NftSetReader(NftName name, NetlinkLimits limits) : name_(std::move(name)), limits_(limits) {}
  ReadResult<ChangeSignal> change_signal() override { return generation_signal(limits_); }
  ReadResult<Allowlist> read() override { return nft_dump_set(name_, limits_); }

 private:
  NftName name_;
  NetlinkLimits limits_;
};

// libnftables with JSON output into memory buffers; one context per reading, so no cache outlives it.
class NftContext {
 public:
  NftContext() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
    if (!ctx_) throw std::bad_alloc();
    nft_ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
  ~NftContext() { nft_ctx_free(ctx_); }
  NftContext(const NftContext&) = delete;
  NftContext& operator=(const NftContext&) = delete;

  // 0 on success. The buffers are taken once: libnftables rewinds a buffer when it is read.
  int run(const std::string& command) {
    const int rc = nft_run_cmd_from_buffer(ctx_, command.c_str());
    output_ = nft_ctx_get_output_buffer(ctx_);
    error_ = nft_ctx_get_error_buffer(ctx_);
    return rc;
  }
  const std::string& output() const { return output_; }
  const std::string& error() const { return error_; }

 private:
  nft_ctx* ctx_;
  std::string output_;
  std::string error_;
};

class NftChainReader final : public AllowlistReader {
 public:
  NftChainReader(NftName name, NetlinkLimits limits, std::size_t max_bytes)
      : name_(std::move(name)), limits_(limits), max_bytes_(max_bytes) {}
  ReadResult<ChangeSignal> change_signal() override { return generation_signal(limits_); }

  ReadResult<Allowlist> read() override {
    ReadResult<Allowlist> result = ReadError{};
    for (int i = 0; i < kAttempts; ++i) {
      auto before = nft_generation(limits_);
      if (!before) return before.error();
      result = read_once();
      if (!result) return result;
      auto after = nft_generation(limits_);
      if (!after) return after.error();
      if (*after == *before) return result;
    }
    return ReadError{ReadErrorKind::kIo, "chain " + name_.to_string() +
                                             ": the ruleset kept changing while it was "
                                             "read (" +
                                             std::to_string(kAttempts) + " attempts)"};
  }

 private:
  ReadResult<Allowlist> read_once() {
    // Unquoted: nft 1.0.6 takes no quoted names here, and target_spec.cpp admits only names of letters, digits,
    // '_', '-' and '.' starting with a letter or '_', which nft's scanner reads as one word.
    const std::string command = "list chain " + name_.family + " " + name_.table + " " + name_.name;
    NftContext nft;
    if (nft.run(command) != 0) return command_error(command, nft.error());
    if (nft.output().size() > max_bytes_) {
      return ReadError{ReadErrorKind::kOutputTooLarge,
                       "nft " + command + ": more than " + std::to_string(max_bytes_) + " bytes of output"};
    }
    auto ruleset = NftRuleset::parse(nft.output(), "nft " + command);
    if (!ruleset) return ruleset.error();
    const auto& chains = ruleset->chains();
    if (chains.size() != 1) {
      return ReadError{ReadErrorKind::kParse,
                       "nft " + command + ": expected one chain in the output, found " + std::to_string(chains.size())};
    }
    const auto resolve = [this](const NftName& set, const std::string& origin) -> ReadResult<Allowlist> {
      auto elements = nft_dump_set(set, limits_);
      if (!elements) return elements.error();
      for (auto& ip : elements->ips) ip.origin = origin;
      return elements;
    };
    return nft_chain_allowlist(*ruleset, chains.front(), resolve);
  }

  // libnftables reports on its error buffer: "Error: No such file or directory\nlist chain ...\n  ^^^^^" for a
  // missing table or chain, "Operation not permitted (you must be root)" without CAP_NET_ADMIN (reliability.md F2,
  // F3).
  ReadError command_error(const std::string& command, std::string_view text) const {
    if (text.find("Operation not permitted") != std::string_view::npos) return nft_permission_error("nft " + command);
    if (text.find("No such file or directory") != std::string_view::npos) {
      return nft_not_found(NftObjectKind::kChain, name_, limits_);
    }
    std::string first(text.substr(0, text.find('\n')));
    if (first.empty()) first = "failed without a message";
    return ReadError{ReadErrorKind::kIo, "nft " + command + ": " + first};
  }

  NftName name_;
  NetlinkLimits limits_;
  std::size_t max_bytes_;
};

}  // namespace

std::unique_ptr<AllowlistReader> make_nft_set_reader(const TargetSpec& spec, const ReaderOptions& options) {
  return std::make_unique<NftSetReader>(name_of(spec), limits_of(options));
}

std::unique_ptr<AllowlistReader> make_nft_chain_reader(const TargetSpec& spec, const ReaderOptions& options) {
  return std::make_unique<NftChainReader>(name_of(spec), limits_of(options), options.max_output_bytes);
}

std::unique_ptr<AllowlistReader> make_nft_json_reader(const TargetSpec& spec, const ReaderOptions& options) {
  auto parser = [spec](std::string_view text, std::string_view source) {
    return parse_nft_json_target(text, source, spec);
  };
  return std::make_unique<FileReader>(spec.path, std::move(parser), options.max_output_bytes);
}

}  // namespace allowdrift::firewall
