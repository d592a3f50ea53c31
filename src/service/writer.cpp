#include "service/writer.hpp"

#include "core/assert.hpp"

namespace onecard::service {

Writer::Writer(storage::Store& store, const Clock& clock, WriterOptions options)
    : store_(store), clock_(clock), options_(options), thread_([this] { Loop(); }) {
  ONECARD_ASSERT(options_.group_max >= 1, "group_max below 1");
}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Writer::Submit(core::TenantId tenant, std::string key, std::string digest, Run run,
                    Done done) {
  {
    std::lock_guard lock(mu_);
    ONECARD_ASSERT(!stopping_, "submit to a stopping writer");
    queue_.push_back(
        Task{tenant, std::move(key), std::move(digest), std::move(run), std::move(done)});
  }
  cv_.notify_one();
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mu_);
  WriterStats out = stats_;
  out.queued = static_cast<std::int64_t>(queue_.size());
  return out;
}

void Writer::Loop() {
  std::deque<Task> group;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      const auto n = std::min(queue_.size(), static_cast<std::size_t>(options_.group_max));
      for (std::size_t i = 0; i < n; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunGroup(group);
    group.clear();
  }
}

void Writer::RunGroup(std::deque<Task>& group) {
  struct Outcome {
    core::Result<std::string> reply = std::string();
    bool replayed = false;
  };
  std::vector<Outcome> outcomes(group.size());
  std::int64_t replays = 0;
  std::int64_t failed = 0;

  core::Result<std::unique_ptr<storage::WriteTxn>> begun = store_.BeginWrite();
  if (!begun) {
    for (Task& task : group) task.done(begun.error(), false);
    std::lock_guard lock(mu_);
    stats_.failed += static_cast<std::int64_t>(group.size());
    return;
  }
  storage::WriteTxn& txn = **begun;

  for (std::size_t i = 0; i < group.size(); ++i) {
    Task& task = group[i];
    Outcome& out = outcomes[i];
    if (core::Status s = txn.Savepoint(); !s) {
      out.reply = s.error();
      continue;
    }
    bool keep = false;
    if (!task.key.empty()) {
      core::Result<std::optional<storage::IdempotencyRecord>> found =
          txn.FindIdempotency(task.tenant, task.key);
      if (!found) {
        out.reply = found.error();
      } else if (*found) {
        if ((*found)->digest == task.digest) {
          out.reply = std::move((*found)->reply);
          out.replayed = true;
          ++replays;
        } else {
          out.reply = core::MakeError(
              core::ErrorCode::kIdempotencyConflict,
              "idempotency key \"" + task.key +
                  "\" was already used for a different request; use a new key for a new request",
              "idempotency_key");
        }
        (void)txn.RollbackToSavepoint();
        continue;
      }
    }
    if (out.reply) {
      out.reply = task.run(txn);
      if (out.reply && !task.key.empty()) {
        core::Status stored = txn.InsertIdempotency(
            task.tenant, task.key, storage::IdempotencyRecord{task.digest, *out.reply},
            clock_.Now());
        if (!stored) out.reply = stored.error();
      }
      keep = out.reply.ok();
    }
    if (keep) {
      if (core::Status s = txn.ReleaseSavepoint(); !s) out.reply = s.error();
    } else {
      ++failed;
      if (core::Status s = txn.RollbackToSavepoint(); !s) out.reply = s.error();
    }
  }

  core::Status committed = txn.Commit();
  begun->reset();  // ends the transaction before anyone is answered
  {
    std::lock_guard lock(mu_);
    stats_.groups += 1;
    stats_.commands += static_cast<std::int64_t>(group.size());
    stats_.replays += replays;
    stats_.failed += committed ? failed : static_cast<std::int64_t>(group.size());
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!committed) {
      group[i].done(committed.error(), false);
    } else {
      group[i].done(std::move(outcomes[i].reply), outcomes[i].replayed);
    }
  }
}

}  // namespace onecard::service
