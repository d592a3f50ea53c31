// ProgrammeService: a tenant's programme as versioned documents (issue #4, item 3), and the
// evaluator behind `explain` for the API.
//
// A document is stored as a numbered draft once it validates (programme/document.hpp) and every
// store it names exists in the tenant. Activating a draft makes it the version in force from its
// effective date's local midnight, or from the moment of activation when that is later — so an
// activation never reprices the past. At any instant the version in force is the active one with
// the latest in_force_from at or before it. A version scheduled for the future may be cancelled;
// one that has priced anything is superseded by a later version, never edited or cancelled.
// Activation is one transaction, and the parsed programmes are immutable values shared by
// version: a checkout gets either the old version or the new one, never a mixture.
//
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/programme.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/simulation.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct ProgrammeProblemView {
  int line = 0;  // 0: no single place in the text
  std::string path;
  std::string message;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProgrammeProblemView, line, path, message)

// The outcome of checking a document for a tenant.
struct ProgrammeCheckView {
  bool valid = false;
  std::string code;
  std::string name;
  std::optional<core::CivilDate> effective_from;
  int tiers = 0;
  std::vector<ProgrammeProblemView> problems;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProgrammeCheckView, valid, code, name, effective_from, tiers,
                                   problems)

struct ProgrammeVersionView {
  int version = 0;
  std::string code;
  std::string name;
  core::CivilDate effective_from;
  std::string status;  // draft | scheduled | in_force | superseded | cancelled
  std::optional<core::Timestamp> in_force_from;
  std::optional<core::Timestamp> in_force_until;  // when a later version took or takes over
  std::string digest;
  std::string created_by;
  core::Timestamp created_at;
  std::string changed_by;
  std::optional<core::Timestamp> changed_at;
  std::optional<std::string> document;  // only when one version is asked for
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProgrammeVersionView, version, code, name, effective_from,
                                   status, in_force_from, in_force_until, digest, created_by,
                                   created_at, changed_by, changed_at, document)

// What `explain` prices: a stored version, a document, or (neither) the version in force at the
// purchase's time.
struct ExplainSpec {
  std::optional<int> version;
  std::string document;
  core::MemberState member;
  std::vector<core::BasketLine> lines;
  std::optional<core::CivilDate> date;  // local; default: today where the tenant is
  std::optional<int> minute_of_day;     // local; default: now (with the date: noon)
  std::string store;
};

struct ExplainView {
  std::optional<int> version;  // null: a document that is not stored
  core::CivilDate date;
  int minute_of_day = 0;
  core::Evaluation evaluation;
};

class ProgrammeService {
 public:
  ProgrammeService(storage::Store& store, const Clock& clock, Writer& writer)
      : store_(store), clock_(clock), writer_(writer) {}

  // Checks a document: its own rules, then that every store it names is one of the tenant's.
  // Errors only for storage failures; problems are in the view.
  core::Result<ProgrammeCheckView> Check(const TenantRef& tenant, std::string_view document);

  // Stores a valid document as the next draft. Error: kFieldInvalid ("document") listing every
  // problem, one per line.
  core::Result<ProgrammeVersionView> Add(const Request& req, std::string_view document);
  // Newest first, without documents.
  core::Result<std::vector<ProgrammeVersionView>> List(const TenantRef& tenant);
  // One version with its document. Error: kProgrammeNotFound.
  core::Result<ProgrammeVersionView> Get(const TenantRef& tenant, int version);
  // Errors: kProgrammeNotFound; kConflict when the version is not a draft, or another active
  // version comes into force at the same instant.
  core::Result<ProgrammeVersionView> Activate(const Request& req, int version);
  // A draft, or an active version not yet in force. Errors: kProgrammeNotFound; kConflict when
  // it is in force or was, or is cancelled already.
  core::Result<ProgrammeVersionView> Cancel(const Request& req, int version);

  // The version in force at `at` and its programme. Error: kProgrammeNotFound when none is.
  struct InForce {
    int version = 0;
    std::shared_ptr<const core::Programme> programme;
  };
  core::Result<InForce> VersionAt(const TenantRef& tenant, core::Timestamp at);
  // A stored version (that priced a sale) and its programme. Error: kProgrammeNotFound.
  core::Result<InForce> Version(const TenantRef& tenant, int version);
  // The tier codes of the tenant's versions but cancelled ones (for catalogue tier prices).
  core::Result<std::set<std::string, std::less<>>> TierCodes(storage::ReadTxn& txn,
                                                             core::TenantId tenant);

  // Replays the recorded sales of business dates [from, to] under a draft document and compares
  // (service/simulation.hpp); reads only. Errors: the document's problems (kFieldInvalid);
  // kInvalidArgument when `to` is before `from`.
  core::Result<SimulationReport> Simulate(const TenantRef& tenant, std::string_view document,
                                          core::CivilDate from, core::CivilDate to);

  // Prices a basket and explains it (no side effects). Errors: kProgrammeNotFound; the
  // document's problems (kFieldInvalid); core::Evaluate's errors.
  core::Result<ExplainView> Explain(const TenantRef& tenant, const ExplainSpec& spec);

 private:
  // Finds a version in a write, lets `change` check and edit it, and records who changed it.
  using ChangeFn = std::function<core::Status(storage::WriteTxn&,
                                              const std::vector<storage::ProgrammeVersionRecord>&,
                                              storage::ProgrammeVersionRecord&, core::Timestamp)>;
  core::Result<ProgrammeVersionView> Change(const Request& req, int version,
                                            std::string_view action, const ChangeFn& change);
  // The parsed programme of a stored version (read and parsed once, then shared).
  core::Result<std::shared_ptr<const core::Programme>> Parsed(
      storage::ReadTxn& txn, const storage::ProgrammeVersionRecord& r);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  std::mutex mu_;
  std::map<std::int64_t, std::shared_ptr<const core::Programme>> parsed_;  // by record id
};

// A value in fen per point as yuan text ("0.30"; "0.005" when below a fen).
std::string YuanPerPoint(const core::Ratio& fen);

// JSON of an evaluation, as `programme explain --json` and the API give it.
nlohmann::json EvaluationJson(const core::Evaluation& e);
void to_json(nlohmann::json& j, const ExplainView& v);

// A basket as JSON: [{"sku", "quantity", "price" (yuan text), "categories", "item_class",
// "non_earning"}, …], and with `passes` (a checkout's) "pass": the card number of a count card or
// pass that pays for the line. Errors (kFieldInvalid, kFieldUnknown) name the field
// ("lines[2].price").
core::Result<std::vector<core::BasketLine>> BasketFromJson(const nlohmann::json& lines,
                                                           std::string_view field,
                                                           bool passes = false);
// A member's state as JSON: {"tier", "birthday", "spend" (yuan), "points" (earned so far),
// "carried" (yuan), "balance" (points held), "redemptions" (this period), "downgraded_from",
// "spend_since_downgrade" (yuan)}, every field optional.
core::Result<core::MemberState> MemberStateFromJson(const nlohmann::json& member,
                                                    std::string_view field);
// "HH:MM" → minutes after midnight. Error: kFieldInvalid naming `field`.
core::Result<int> ParseLocalTime(std::string_view text, std::string_view field);

}  // namespace onecard::service
