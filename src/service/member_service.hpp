// MemberService: enrolment, profile and custom-field changes, status changes with history,
// look-up and search (R-101…R-105). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/member.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/views.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

// Changes to a member: profile fields by name (core::ProfileFieldNames), custom fields by key
// (an empty value removes one), and optionally a new status, channel, referrer or home store.
struct MemberChanges {
  std::vector<std::pair<std::string, std::string>> profile;
  std::vector<std::pair<std::string, std::string>> custom;
  std::optional<core::MemberStatus> status;
  std::optional<core::EnrolChannel> channel;
  std::optional<std::int64_t> referrer_id;  // 0 clears
  std::optional<std::string> home_store;    // store code; "" clears
  std::string reason;                       // recorded with a status change
};

class MemberService {
 public:
  MemberService(storage::Store& store, const Clock& clock, Writer& writer)
      : store_(store), clock_(clock), writer_(writer) {}

  // Enrols a member; status defaults to registered (pending when awaiting approval), channel to
  // till. Errors: kFieldUnknown (profile field or undefined custom field), kPhoneMalformed,
  // kEmailMalformed, kDateMalformed, kFieldInvalid, kMemberNotFound (referrer), kStoreNotFound.
  core::Result<MemberView> Add(const Request& req, const MemberChanges& changes);
  // Same errors as Add, plus kMemberNotFound.
  core::Result<MemberView> Update(const Request& req, std::int64_t member_id,
                                  const MemberChanges& changes);
  core::Result<MemberView> Show(const TenantRef& tenant, std::int64_t member_id);
  // The member holding card `number`. Errors: kCardNotFound, kCardHasNoMember.
  core::Result<MemberView> ShowByCard(const TenantRef& tenant, std::string_view number);
  // By phone (whole, or its last 4+ digits), card number, name (any part) or an indexed custom
  // field; newest first. Error: kInvalidArgument for an empty text.
  core::Result<std::vector<MemberView>> Find(const TenantRef& tenant, std::string_view text,
                                             int limit);
  // Members in enrolment order after member id `after`, at most `limit` (1–1,000).
  core::Result<std::vector<MemberView>> List(const TenantRef& tenant, std::int64_t after,
                                             int limit);

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
};

// The view of a stored member, with custom fields, cards and status history.
core::Result<MemberView> ReadMemberView(storage::ReadTxn& txn, const storage::MemberRecord& m);

}  // namespace onecard::service
