// The daemon's WorkerFetcher (daemon/net/worker_fetcher.h) runs the real `allowdrift fetch-worker` against the
// loopback TLS server: it must give what the in-process HttpsFetcher gives for the same URL, byte for byte and
// failure for failure, and turn a worker that cannot start, fails, garbles its answer or hangs into a kWorker or
// kTimeout error rather than a crash or a wait without end. Stand-in workers are shell scripts in a scratch dir.
#include "net/worker_fetcher.h"
#include "net/fetch_to_completion.h"
#include "net/fetch_wire.h"
#include "net/https_fetcher.h"
#include "net/scoped_env.h"
#include "net/test_pki.h"
#include "net/test_server.h"
#include "process_runner.h"
#include "sys/child_process.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace allowdrift::net {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RecordedRequest;
using testing::ScopedEnv;
using testing::TempPki;
using testing::TestServer;
using testing::TlsOptions;

constexpr const char* kEtag = "\"w1\"";

// Every byte value, CRLFs and bytes that are not UTF-8: the body must cross the pipe unchanged.
std::string awkward_body() {
  std::string s = "192.0.2.0/24\r\n";
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  s += "\n\xc3\x28\xff\n198.51.100.0/24\n";
  return s;
}

class WorkerFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TempPki("worker-pki"); }
  static void TearDownTestSuite() { delete pki_; }
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-worker-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    server_ = std::make_unique<TestServer>(TlsOptions{pki_->good().cert, pki_->good().key, 0, 0, false, false});
    server_->route("/list", [](const RecordedRequest& req, int) {
      const testing::Headers validators{{"ETag", kEtag}, {"Content-Type", "text/plain"}};
      if (req.header("If-None-Match") == kEtag) return testing::respond(304, validators);
      return testing::respond(200, validators, awkward_body());
    });
    server_->route("/old", testing::redirect(302, server_->url("/list")));
    server_->route("/gone", testing::respond(404, {}, "no such list"));
    server_->route("/busy", testing::respond(503, {{"Retry-After", "120"}}, "later"));
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  FetchRequest request(const std::string& path) const {
    FetchRequest r;
    r.url = server_->url(path);
    r.ca_file = pki_->ca_file().string();
    r.retry.max_attempts = 1;
    r.deadline = std::chrono::milliseconds(5000);
    return r;
  }

  static WorkerFetcher real_worker() {
    WorkerFetcherOptions o;
    o.executable = ALLOWDRIFT_BINARY;
    return WorkerFetcher(o);
  }

  // A stand-in worker: a shell script with this body.
  WorkerFetcher script_worker(const std::string& body, std::chrono::milliseconds grace = std::chrono::seconds(5)) {
    const auto path = dir_ / "worker.sh";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    WorkerFetcherOptions o;
    o.executable = path.string();
    o.grace = grace;
    return WorkerFetcher(o);
  }

  // The same request through the worker and in this process.
  std::pair<FetchResult, FetchResult> both(const FetchRequest& r) {
    auto worker = real_worker();
    HttpsFetcher in_process;
    auto a = testing::fetch_to_completion(worker, r);
    auto b = testing::fetch_to_completion(in_process, r);
    return {std::move(a), std::move(b)};
  }

  static inline TempPki* pki_ = nullptr;
  fs::path dir_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(WorkerFetcherTest, GivesWhatTheInProcessClientGivesByteForByte) {
  const auto [worker, direct] = both(request("/old"));
  ASSERT_TRUE(worker) << worker.error().message;
  ASSERT_TRUE(direct) << direct.error().message;
  EXPECT_EQ(worker->body, awkward_body());
  EXPECT_EQ(worker->body, direct->body);
  EXPECT_EQ(worker->status, 200);
  EXPECT_EQ(worker->final_url, server_->url("/list"));
  EXPECT_EQ(worker->redirects, 1);
  EXPECT_EQ(worker->attempts, 1);
  EXPECT_EQ(worker->validators.etag, kEtag);
  EXPECT_EQ(worker->content_type, "text/plain");
  EXPECT_EQ(worker->wire_bytes, direct->wire_bytes);
  EXPECT_FALSE(worker->not_modified);
}

TEST_F(WorkerFetcherTest, SendsTheValidatorsAndReportsNotModified) {
  auto r = request("/list");
  r.validators.etag = kEtag;
  auto worker = real_worker();
  const auto got = testing::fetch_to_completion(worker, r);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->not_modified);
  EXPECT_EQ(got->status, 304);
  const auto seen = server_->requests();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().header("If-None-Match"), kEtag);
}

TEST_F(WorkerFetcherTest, FailuresKeepTheirKindStatusAndMessage) {
  {
    const auto [worker, direct] = both(request("/gone"));
    ASSERT_FALSE(worker);
    ASSERT_FALSE(direct);
    EXPECT_EQ(worker.error().kind, FetchErrorKind::kHttpStatus);
    EXPECT_EQ(worker.error().http_status, 404);
    EXPECT_EQ(worker.error().message, direct.error().message);
  }
  {
    const auto [worker, direct] = both(request("/busy"));
    ASSERT_FALSE(worker);
    EXPECT_EQ(worker.error().http_status, 503);
    EXPECT_EQ(worker.error().retry_after, std::chrono::seconds(120));
    EXPECT_EQ(worker.error().retry_after, direct.error().retry_after);
  }
  {
    auto r = request("/list");
    r.ca_file.reset();  // the system store, which does not hold the test CA
    const ScopedEnv no_file("SSL_CERT_FILE", std::nullopt);
    const ScopedEnv no_dir("SSL_CERT_DIR", std::nullopt);
    const auto [worker, direct] = both(r);
    ASSERT_FALSE(worker);
    EXPECT_EQ(worker.error().kind, FetchErrorKind::kTls);
    EXPECT_EQ(worker.error().message, direct.error().message);
  }
}

// run_process gives a child only LC_ALL and PATH; the variables a fetch reads must reach the worker.
TEST_F(WorkerFetcherTest, TheTrustStoreVariablesReachTheWorker) {
  auto r = request("/list");
  r.ca_file.reset();
  const ScopedEnv file("SSL_CERT_FILE", pki_->ca_file().string());
  const ScopedEnv no_dir("SSL_CERT_DIR", std::nullopt);
  auto worker = real_worker();
  const auto got = testing::fetch_to_completion(worker, r);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, awkward_body());
}

TEST_F(WorkerFetcherTest, AWorkerThatCannotStartIsAWorkerError) {
  WorkerFetcherOptions o;
  o.executable = (dir_ / "no-such-allowdrift").string();
  WorkerFetcher worker(o);
  const auto got = testing::fetch_to_completion(worker, request("/list"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, FetchErrorKind::kWorker);
  EXPECT_THAT(got.error().message, HasSubstr("cannot start the fetch worker"));
  EXPECT_THAT(got.error().message, HasSubstr("no-such-allowdrift"));
}

TEST_F(WorkerFetcherTest, AWorkerThatFailsIsAWorkerErrorWithWhatItSaid) {
  auto worker = script_worker("cat >/dev/null\necho 'out of luck: \033[31mred\033[0m' >&2\nexit 3");
  const auto got = testing::fetch_to_completion(worker, request("/list"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, FetchErrorKind::kWorker);
  EXPECT_THAT(got.error().message, HasSubstr("exited with status 3"));
  EXPECT_THAT(got.error().message, HasSubstr("out of luck: ?[31mred?[0m"));  // control characters replaced
}

TEST_F(WorkerFetcherTest, AGarbledAnswerIsAWorkerError) {
  {
    auto worker = script_worker("cat >/dev/null\nprintf 'HTTP/1.1 200 OK\\n'");
    const auto got = testing::fetch_to_completion(worker, request("/list"));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().kind, FetchErrorKind::kWorker);
    EXPECT_THAT(got.error().message, HasSubstr("unusable: fetch result: header is not JSON"));
  }
  {
    // Cut short: the header promises more body than arrives.
    auto worker = script_worker("cat >/dev/null\nprintf '{\"status\":200,\"body_bytes\":100}\\n10.0.0.0/8\\n'");
    const auto got = testing::fetch_to_completion(worker, request("/list"));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().kind, FetchErrorKind::kWorker);
    EXPECT_THAT(got.error().message, HasSubstr("body_bytes is 100 but 11 bytes follow"));
  }
}

TEST_F(WorkerFetcherTest, TheWorkerReceivesTheWholeRequestOnStdin) {
  // A stand-in that keeps what it was sent, then answers 304.
  const auto kept = dir_ / "request";
  const auto args = dir_ / "args";
  auto worker = script_worker("echo \"$@\" >'" + args.string() + "'\ncat >'" + kept.string() +
                              "'\nprintf '{\"not_modified\":true,\"status\":304}\\n'");
  auto r = request("/list");
  r.proxy = ProxyConfig{"proxy.example", 3128, "user", "secret-password", false};
  const auto got = testing::fetch_to_completion(worker, r);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->not_modified);
  std::ifstream in(kept, std::ios::binary);
  const std::string sent((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto decoded = decode_request(sent);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->url, r.url);
  ASSERT_TRUE(decoded->proxy);
  EXPECT_EQ(decoded->proxy->password, "secret-password");  // on stdin, never on the command line
  std::ifstream args_in(args);
  std::string argv_line;
  std::getline(args_in, argv_line);
  EXPECT_EQ(argv_line, "fetch-worker --parent-pid " + std::to_string(::getpid()));
}

// The largest answer the protocol allows (a header line of kMaxWireHeaderBytes, its newline, a body at the limit)
// fits under the cap on the worker's output.
TEST_F(WorkerFetcherTest, TheLargestValidAnswerFits) {
  std::string header = "{\"status\":200,\"body_bytes\":10,\"pad\":\"";
  header += std::string(kMaxWireHeaderBytes - header.size() - 2, 'p') + "\"}";
  ASSERT_EQ(header.size(), kMaxWireHeaderBytes);
  const auto frame_file = dir_ / "frame";
  std::ofstream(frame_file, std::ios::binary) << header << '\n' << "0123456789";
  auto worker = script_worker("cat >/dev/null\ncat '" + frame_file.string() + "'");
  auto r = request("/list");
  r.body_limit = 10;
  const auto got = testing::fetch_to_completion(worker, r);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "0123456789");
}

// The worker's answer is held to the request's body limit as the in-process client would hold the body.
TEST_F(WorkerFetcherTest, ABodyOverTheLimitIsAWorkerError) {
  auto worker = script_worker("cat >/dev/null\nprintf '{\"status\":200,\"body_bytes\":20}\\n0123456789abcdefghij'");
  auto r = request("/list");
  r.body_limit = 10;
  const auto got = testing::fetch_to_completion(worker, r);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, FetchErrorKind::kWorker);
  EXPECT_THAT(got.error().message, HasSubstr("a body of 20 bytes, over the limit of 10"));
  r.body_limit = 20;
  const auto fits = testing::fetch_to_completion(worker, r);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->body, "0123456789abcdefghij");
}

TEST_F(WorkerFetcherTest, AHungWorkerIsKilledAfterTheWorstCase) {
  auto worker = script_worker("exec sleep 60", std::chrono::milliseconds(300));
  auto r = request("/list");
  r.deadline = std::chrono::milliseconds(200);
  EXPECT_EQ(WorkerFetcher::worst_case(r), std::chrono::milliseconds(200));
  const auto started = std::chrono::steady_clock::now();
  const auto got = testing::fetch_to_completion(worker, r);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, FetchErrorKind::kTimeout);
  EXPECT_THAT(got.error().message, HasSubstr("the fetch worker did not finish within 50"));  // 500 ms, or just over
  EXPECT_THAT(got.error().message, HasSubstr("killed"));
  EXPECT_LT(took, std::chrono::seconds(10)) << "killed at its deadline, not after the script's 60 s";
}

TEST(WorkerFetcherWorstCase, CountsEveryAttemptAndTheLongestWaitBetweenThem) {
  FetchRequest r;
  r.deadline = std::chrono::seconds(60);
  r.retry =
      RetryConfig{3, std::chrono::milliseconds(1000), std::chrono::milliseconds(30'000), std::chrono::seconds(300)};
  EXPECT_EQ(WorkerFetcher::worst_case(r), std::chrono::seconds(3 * 60 + 2 * 300));
  r.retry.max_retry_after = std::chrono::seconds(10);
  EXPECT_EQ(WorkerFetcher::worst_case(r), std::chrono::seconds(3 * 60 + 2 * 30));
  // Timeouts of years (a config may say "4294967295s") are capped at a day, without overflow.
  r.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(4294967295LL));
  EXPECT_EQ(WorkerFetcher::worst_case(r), std::chrono::hours(24));
  r.deadline = std::chrono::milliseconds::max();
  EXPECT_EQ(WorkerFetcher::worst_case(r), std::chrono::hours(24));
}

// The worker command on its own: a request it cannot read is refused with why, not fetched half-understood.
TEST_F(WorkerFetcherTest, TheWorkerCommandRefusesARequestItCannotRead) {
  const auto garbled = allowdrift::testing::run_process({ALLOWDRIFT_BINARY, "fetch-worker"}, dir_, "{\"url\":42}\n");
  EXPECT_EQ(garbled.status, 2);
  EXPECT_THAT(garbled.err, HasSubstr("fetch request: url: expected a string"));
  EXPECT_TRUE(garbled.out.empty());
  const auto with_args = allowdrift::testing::run_process({ALLOWDRIFT_BINARY, "fetch-worker", "https://x/"}, dir_);
  EXPECT_EQ(with_args.status, 2);
  EXPECT_THAT(with_args.err, HasSubstr("usage: allowdrift fetch-worker [--parent-pid PID]"));
  // Started by someone other than the process it names: that daemon is gone, nothing is fetched.
  const auto orphan = allowdrift::testing::run_process({ALLOWDRIFT_BINARY, "fetch-worker", "--parent-pid", "1"}, dir_,
                                                       encode_request(request("/list")));
  EXPECT_EQ(orphan.status, 4);
  EXPECT_THAT(orphan.err, HasSubstr("the daemon (pid 1) is gone"));
  EXPECT_EQ(server_->hits("/list"), 0);
}

// A daemon killed mid-fetch (SIGKILL, a crash, the OOM killer) does not leave its worker fetching: the worker asked
// for SIGKILL when its parent ends (PR_SET_PDEATHSIG). Here the "daemon" is a forked child that starts a worker on a
// server that never answers and is then killed. Everything the child needs is prepared before the fork: it only
// spawns, writes and waits (no allocation, no thread, in a copy of a multi-threaded process).
TEST_F(WorkerFetcherTest, AWorkerDiesWithTheProcessThatStartedIt) {
  TestServer silent(TlsOptions{pki_->good().cert, pki_->good().key, 0, 0, false, /*never_handshake=*/true});
  auto r = request("/list");
  r.url = silent.url("/list");
  r.deadline = std::chrono::seconds(60);
  const std::string frame = encode_request(r);
  int report[2];
  int input[2];
  ASSERT_EQ(::pipe(report), 0);
  ASSERT_EQ(::pipe(input), 0);
  ASSERT_LE(frame.size(), 4096u) << "must fit the pipe without a reader";
  ASSERT_EQ(::write(input[1], frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
  ::close(input[1]);
  std::string binary = ALLOWDRIFT_BINARY, command = "fetch-worker", flag = "--parent-pid";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input[0], 0);
  const pid_t daemon = ::fork();
  ASSERT_GE(daemon, 0);
  if (daemon == 0) {
    ::close(report[0]);
    char own[32];
    std::snprintf(own, sizeof own, "%d", static_cast<int>(::getpid()));
    char* argv[] = {binary.data(), command.data(), flag.data(), own, nullptr};
    char* envp[] = {nullptr};
    pid_t worker = 0;
    if (::posix_spawn(&worker, argv[0], &actions, nullptr, argv, envp) != 0) ::_exit(1);
    const int n = std::snprintf(own, sizeof own, "%d\n", static_cast<int>(worker));
    [[maybe_unused]] const auto written = ::write(report[1], own, static_cast<std::size_t>(n > 0 ? n : 0));
    ::waitpid(worker, nullptr, 0);
    ::_exit(0);
  }
  posix_spawn_file_actions_destroy(&actions);
  struct Reap {  // whatever assertion ends the test, the forked "daemon" does not outlive it
    pid_t pid;
    ~Reap() {
      if (pid > 0 && ::kill(pid, SIGKILL) == 0) ::waitpid(pid, nullptr, 0);
    }
  } reap{daemon};
  ::close(input[0]);
  ::close(report[1]);
  char buf[64] = {};
  const auto n = ::read(report[0], buf, sizeof buf - 1);
  ::close(report[0]);
  ASSERT_GT(n, 0) << "the worker did not start";
  const pid_t worker = std::atoi(buf);
  for (int i = 0; i < 500 && silent.connections() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(silent.connections(), 1) << "the worker never connected";  // it is inside its fetch now
  ASSERT_EQ(::kill(daemon, SIGKILL), 0);
  ::waitpid(daemon, nullptr, 0);
  reap.pid = 0;
  const auto gone = [worker] {
    std::ifstream stat("/proc/" + std::to_string(worker) + "/stat");
    std::string line;
    return !std::getline(stat, line) || line.find(") Z") != std::string::npos;
  };
  bool ended = false;
  for (int i = 0; i < 200 && !ended; ++i) {
    ended = gone();
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(ended) << "worker " << worker << " outlived the process that started it";
  if (!ended) ::kill(worker, SIGKILL);
}

}  // namespace
}  // namespace allowdrift::net
