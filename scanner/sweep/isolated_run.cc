#include "scanner/sweep/isolated_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace sprawl {
namespace {

static_assert(std::is_trivially_copyable_v<ScanStats>,
              "ScanStats crosses the pipe as bytes");

void PutU64(std::string* out, uint64_t v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}
void PutString(std::string* out, const std::string& s) {
  PutU64(out, s.size());
  out->append(s);
}

// Reads what PutU64/PutString wrote; false when the message is short.
class Reader {
 public:
  explicit Reader(const std::string& data) : data_(data) {}
  bool U64(uint64_t* v) {
    if (data_.size() - pos_ < sizeof *v) return false;
    std::memcpy(v, data_.data() + pos_, sizeof *v);
    pos_ += sizeof *v;
    return true;
  }
  bool String(std::string* s) {
    uint64_t n = 0;
    if (!U64(&n) || data_.size() - pos_ < n) return false;
    s->assign(data_, pos_, n);
    pos_ += n;
    return true;
  }
  bool Bytes(void* p, std::size_t n) {
    if (data_.size() - pos_ < n) return false;
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }

 private:
  const std::string& data_;
  std::size_t pos_ = 0;
};

std::string Encode(const IsolatedReport& r) {
  std::string out;
  PutString(&out, r.status);
  PutString(&out, r.error);
  PutU64(&out, r.blobs_scanned);
  out.append(reinterpret_cast<const char*>(&r.stats), sizeof r.stats);
  PutString(&out, r.diagnostics);
  return out;
}

bool Decode(const std::string& data, IsolatedReport* r) {
  Reader in(data);
  return in.String(&r->status) && in.String(&r->error) &&
         in.U64(&r->blobs_scanned) && in.Bytes(&r->stats, sizeof r->stats) &&
         in.String(&r->diagnostics);
}

void WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

IsolatedOutcome RunIsolated(const std::function<IsolatedReport()>& work,
                            int64_t timeout_seconds,
                            const std::function<void()>& lock,
                            const std::function<void()>& unlock) {
  IsolatedOutcome outcome;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.failure = std::string("cannot isolate the scan: pipe: ") +
                      std::strerror(errno);
    return outcome;
  }
  if (lock) lock();
  const pid_t pid = ::fork();
  if (pid != 0 && unlock) unlock();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    outcome.failure = std::string("cannot isolate the scan: fork: ") +
                      std::strerror(errno);
    return outcome;
  }
  if (pid == 0) {
    ::close(fds[0]);
    const IsolatedReport report = work();
    std::string message = Encode(report);
    std::string framed;
    PutU64(&framed, message.size());
    framed += message;
    WriteAll(fds[1], framed);
    ::close(fds[1]);
    std::_Exit(0);  // no destructors: they belong to the parent's objects
  }
  ::close(fds[1]);
  // Non-blocking reads, and the end is the child's exit, not EOF: another
  // worker's child, forked meanwhile, may hold this pipe's write end too.
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  std::string data;
  bool timed_out = false;
  bool exited = false;
  int status = 0;
  char buf[1 << 16];
  auto drain = [&] {
    for (;;) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n > 0) {
        data.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return;
    }
  };
  while (!exited) {
    if (timeout_seconds > 0 && std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    (void)::poll(&p, 1, 100);
    drain();
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) exited = true;
  }
  if (exited) drain();
  ::close(fds[0]);
  if (timed_out) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (timed_out) {
    outcome.failure = "timed out after " + std::to_string(timeout_seconds) +
                      " s (--repo-timeout); the scan was stopped";
    return outcome;
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    outcome.failure = "the scan crashed (signal " + std::to_string(sig) +
                      ", " + strsignal(sig) +
                      "): a corrupt or hostile object store?";
    return outcome;
  }
  Reader in(data);
  uint64_t size = 0;
  std::string message;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !in.U64(&size) ||
      data.size() - sizeof size != size) {
    outcome.failure = "the scan ended abnormally (exit " +
                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status)
                                                       : -1) +
                      ")";
    return outcome;
  }
  message = data.substr(sizeof size);
  if (!Decode(message, &outcome.report)) {
    outcome.failure = "the scan sent a malformed report";
    return outcome;
  }
  outcome.completed = true;
  return outcome;
}

}  // namespace sprawl
