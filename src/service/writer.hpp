// Writer: the single writer that applies commands with group commit (issue #2, item 13).
//
// Commands queue up; a writer thread takes up to `group_max` of them, opens one write
// transaction and runs them one after the other. A command that is refused (insufficient
// balance, a frozen card…) has written nothing — commands plan before they write — and the
// group goes on; one that fails after writing makes the group roll back and run again without
// it, so it is undone alone all the same. The group then commits once, durably, and only then is
// each command's result delivered. A crash before the commit loses only commands whose callers
// have not been answered.
//
// Idempotency lives here too: a command with a key is looked up first; the same key with the
// same digest returns the stored reply without running again (even within the same group), and
// with a different digest fails with kIdempotencyConflict. Failed commands store nothing, so a
// refused command may be retried with its key once the cause is gone.
//
//   Writer writer(store, clock, {.group_max = 100});
//   Result<Receipt> r = writer.Call<Receipt>(tenant, key, digest, [&](WriteTxn& txn) { … });
//   writer.CallAsync<Receipt>(tenant, key, digest, fn, [](Result<Receipt> r) { … });
//
// Thread-safe: any thread may submit; commands run on the writer thread in submission order.
#pragma once

#include <array>
#include <concepts>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "service/clock.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct WriterOptions {
  int group_max = 100;  // commands per transaction at most
};

// Counters for benchmarks and (later) metrics. Read with Writer::stats().
struct WriterStats {
  std::int64_t groups = 0;
  std::int64_t commands = 0;
  std::int64_t replays = 0;
  std::int64_t failed = 0;
  std::int64_t rollbacks = 0;  // groups replayed because a command failed after writing
  std::int64_t queued = 0;     // commands waiting now
  // Groups by size: group_sizes[i] counts groups of at most kGroupBuckets[i] commands (and more
  // than the bound before).
  static constexpr std::array<int, 8> kGroupBuckets = {1, 2, 5, 10, 20, 50, 100, 200};
  std::array<std::int64_t, 8> group_sizes{};
};

class Writer {
 public:
  // What a command does inside the transaction. It returns the reply to remember under its key
  // (JSON text; ignored when there is no key) or an error, after which its writes are undone.
  using Run = std::function<core::Result<std::string>(storage::WriteTxn&)>;
  // Receives the reply once the group is durable (or the error). `replayed` is true when the
  // reply is the stored answer of an earlier command with the same key.
  using Done = std::function<void(core::Result<std::string> reply, bool replayed)>;

  Writer(storage::Store& store, const Clock& clock, WriterOptions options);
  ~Writer();  // finishes queued commands, then stops
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a command. `key` empty: not idempotent. `done` runs on the writer thread and must be
  // quick (hand the result to another thread or a promise).
  // `audit`, when given, is stored in the same transaction once the command has run (not on a
  // replay), completed with the time and, unless the command set it, the reply as `after`.
  void Submit(core::TenantId tenant, std::string key, std::string digest, Run run, Done done,
              std::shared_ptr<storage::AuditRecord> audit = nullptr);

  // Runs `fn` (Result<T>(WriteTxn&)) as a command; `then` gets its durable result on the writer
  // thread. T must convert to and from JSON (nlohmann) and may have a `bool replayed` member,
  // which is set on replays.
  template <class T, class Fn>
  void CallAsync(core::TenantId tenant, std::string key, std::string digest, Fn fn,
                 std::function<void(core::Result<T>)> then,
                 std::shared_ptr<storage::AuditRecord> audit = nullptr);

  // CallAsync, waiting for the result.
  template <class T, class Fn>
  core::Result<T> Call(core::TenantId tenant, std::string key, std::string digest, Fn fn,
                       std::shared_ptr<storage::AuditRecord> audit = nullptr) {
    std::promise<core::Result<T>> promise;
    CallAsync<T>(
        tenant, std::move(key), std::move(digest), std::move(fn),
        [&](core::Result<T> r) { promise.set_value(std::move(r)); }, std::move(audit));
    return promise.get_future().get();
  }

  WriterStats stats() const;
  // How many groups failed to commit so far. Caches of ids read inside write transactions
  // (which a failed commit may have undone) are dropped when this changes. Writer thread only.
  std::uint64_t failed_commits() const { return failed_commits_; }

 private:
  struct Task {
    core::TenantId tenant;
    std::string key;
    std::string digest;
    Run run;
    Done done;
    std::shared_ptr<storage::AuditRecord> audit;
  };
  void Loop();
  void RunGroup(std::deque<Task>& group);

  storage::Store& store_;
  const Clock& clock_;
  WriterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  WriterStats stats_;
  std::uint64_t failed_commits_ = 0;  // written and read on the writer thread only
  std::thread thread_;
};

namespace detail {
template <class T>
concept HasReplayed = requires(T t) {
  t.replayed = true;
};
// A type may provide `std::string EncodeReply(const T&)`, a faster way to the same JSON that
// nlohmann's conversion gives (replies of hot commands are encoded on every call, parsed only on
// replays).
// A type may keep the JSON of its reply as stored (`std::string encoded_reply`), so that an
// answer need not encode it again.
template <class T>
concept HasEncodedReply = requires(T t) {
  t.encoded_reply = std::string();
};
template <class T>
concept HasReplyEncoder = requires(const T& t) {
  { EncodeReply(t) } -> std::same_as<std::string>;
};
}  // namespace detail

template <class T, class Fn>
void Writer::CallAsync(core::TenantId tenant, std::string key, std::string digest, Fn fn,
                       std::function<void(core::Result<T>)> then,
                       std::shared_ptr<storage::AuditRecord> audit) {
  // The typed result of a first run, so it need not be parsed back; shared by the two callbacks,
  // which both run on the writer thread.
  auto fresh = std::make_shared<std::optional<T>>();
  const bool keyed = !key.empty() || audit != nullptr;  // the reply is stored
  Submit(
      tenant, std::move(key), std::move(digest),
      [fn = std::move(fn), fresh, keyed](storage::WriteTxn& txn) -> core::Result<std::string> {
        core::Result<T> r = fn(txn);
        if (!r) return std::move(r).error();
        std::string reply;
        if (keyed) {
          if constexpr (detail::HasReplyEncoder<T>) {
            reply = EncodeReply(*r);
          } else {
            reply = nlohmann::json(*r).dump();
          }
        }
        *fresh = std::move(*r);
        return reply;
      },
      [fresh, then = std::move(then)](core::Result<std::string> reply, bool replayed) {
        if (!reply) return then(std::move(reply).error());
        if (!replayed) {
          if constexpr (detail::HasEncodedReply<T>) (**fresh).encoded_reply = std::move(*reply);
          return then(std::move(**fresh));
        }
        auto json = nlohmann::json::parse(*reply, nullptr, false);
        if (json.is_discarded()) {
          return then(core::MakeError(core::ErrorCode::kInternal, "a stored reply is not JSON"));
        }
        try {
          T value = json.get<T>();
          if constexpr (detail::HasReplayed<T>) value.replayed = true;
          if constexpr (detail::HasEncodedReply<T>) value.encoded_reply = std::move(*reply);
          then(std::move(value));
        } catch (const nlohmann::json::exception& e) {
          then(core::MakeError(core::ErrorCode::kInternal,
                               std::string("a stored reply could not be read: ") + e.what()));
        }
      },
      std::move(audit));
}

}  // namespace onecard::service
