#include "service/writer.hpp"

#include <pthread.h>

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

void Writer::Submit(core::TenantId tenant, std::string key, std::string digest, Run run, Done done,
                    std::shared_ptr<storage::AuditRecord> audit) {
  {
    std::lock_guard lock(mu_);
    ONECARD_ASSERT(!stopping_, "submit to a stopping writer");
    queue_.push_back(Task{tenant, std::move(key), std::move(digest), std::move(run),
                          std::move(done), std::move(audit)});
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
  pthread_setname_np(pthread_self(), "onecard-writer");
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

namespace {

struct Outcome {
  core::Result<std::string> reply = std::string();
  bool replayed = false;
};

}  // namespace

// Runs one command: answers a known key from its stored reply (or refuses it, if the content
// differs), otherwise runs the command and stores its reply under the key.
static Outcome RunOne(storage::WriteTxn& txn, const Clock& clock, const Writer::Run& run,
                      core::TenantId tenant, const std::string& key, const std::string& digest,
                      const std::shared_ptr<storage::AuditRecord>& audit) {
  Outcome out;
  if (!key.empty()) {
    core::Result<std::optional<storage::IdempotencyRecord>> found =
        txn.FindIdempotency(tenant, key);
    if (!found) {
      out.reply = found.error();
      return out;
    }
    if (*found) {
      if ((*found)->digest == digest) {
        out.reply = std::move((*found)->reply);
        out.replayed = true;
      } else {
        out.reply = core::MakeError(
            core::ErrorCode::kIdempotencyConflict,
            "idempotency key \"" + key +
                "\" was already used for a different request; use a new key for a new request",
            "idempotency_key");
      }
      return out;
    }
  }
  // A group may run again after a rollback: the audit record is completed afresh each time.
  if (audit) {
    audit->before.reset();
    audit->after.reset();
  }
  out.reply = run(txn);
  if (out.reply && !key.empty()) {
    core::Status stored = txn.InsertIdempotency(
        tenant, key, storage::IdempotencyRecord{digest, *out.reply}, clock.Now());
    if (!stored) out.reply = stored.error();
  }
  if (out.reply && audit) {
    storage::AuditRecord record = *audit;
    record.tenant = tenant;
    record.at = clock.Now();
    if (!record.after && !out.reply->empty()) record.after = *out.reply;
    core::Result<std::int64_t> stored = txn.InsertAudit(record);
    if (!stored) out.reply = stored.error();
  }
  return out;
}

void Writer::RunGroup(std::deque<Task>& group) {
  // Commands plan everything before their first write, so a refused command has normally written
  // nothing and the group goes on. One that fails after writing (a storage error) cannot be
  // undone alone: the group is rolled back and the others run again, in a new transaction,
  // without it. (No savepoints: SQLite copies every page a savepoint touches, which would cost
  // more than the rare replay.)
  std::vector<Outcome> outcomes(group.size());
  std::vector<bool> settled(group.size(), false);  // failed after writing: final
  core::Status committed;
  std::int64_t rollbacks = 0;
  while (true) {
    core::Result<std::unique_ptr<storage::WriteTxn>> begun = store_.BeginWrite();
    if (!begun) {
      committed = begun.error();
      break;
    }
    storage::WriteTxn& txn = **begun;
    bool restart = false;
    for (std::size_t i = 0; i < group.size() && !restart; ++i) {
      if (settled[i]) continue;
      const std::int64_t before = txn.ChangeCount();
      outcomes[i] = RunOne(txn, clock_, group[i].run, group[i].tenant, group[i].key,
                           group[i].digest, group[i].audit);
      if (!outcomes[i].reply && txn.ChangeCount() != before) {
        settled[i] = true;
        restart = true;
      }
    }
    if (restart) {
      begun->reset();  // rolls back
      ++rollbacks;
      continue;
    }
    committed = txn.Commit();
    begun->reset();  // ends the transaction before anyone is answered
    break;
  }
  if (!committed) ++failed_commits_;
  std::int64_t replays = 0;
  std::int64_t failed = 0;
  for (const Outcome& o : outcomes) {
    replays += o.replayed ? 1 : 0;
    failed += o.reply ? 0 : 1;
  }
  {
    std::lock_guard lock(mu_);
    stats_.groups += 1;
    for (std::size_t b = 0; b < WriterStats::kGroupBuckets.size(); ++b) {
      if (static_cast<int>(group.size()) <= WriterStats::kGroupBuckets[b]) {
        ++stats_.group_sizes[b];
        break;
      }
    }
    stats_.commands += static_cast<std::int64_t>(group.size());
    stats_.replays += replays;
    stats_.rollbacks += rollbacks;
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
