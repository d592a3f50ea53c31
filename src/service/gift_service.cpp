#include "service/gift_service.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/asset.hpp"
#include "core/csv.hpp"
#include "core/member.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

constexpr std::int64_t kMaxBatchCards = 5000;
constexpr std::size_t kMaxActivate = 1000;
constexpr std::size_t kSecretBytes = 32;

core::Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kFieldInvalid, std::move(message), std::move(field));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status ValidatePin(std::string_view pin, std::string_view field) {
  if (pin.size() < 4 || pin.size() > 12 || !AllDigits(pin)) {
    return Invalid(std::string(field) + " is 4 to 12 digits", std::string(field));
  }
  return {};
}

std::string RandomDigits(int n) {
  std::string out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + randombytes_uniform(10));
  return out;
}

Status ValidateBatchHead(std::string_view code, std::string_view name, std::int64_t face_value) {
  ONECARD_CHECK(core::ValidateCode(code, "code"));
  if (name.empty()) return Invalid("name is required", "name");
  ONECARD_CHECK(core::ValidateText(name, "name", 200));
  return ValidateAmount(face_value, "face_value");
}

// The gift card type a batch is made of: the one named, or the tenant's only one.
Result<storage::CardTypeRecord> GiftType(storage::ReadTxn& txn, const TenantRef& tenant,
                                         std::string_view code) {
  if (!code.empty()) {
    ONECARD_TRY(std::optional<storage::CardTypeRecord> t, txn.FindCardType(tenant.id, code));
    if (!t) {
      return MakeError(ErrorCode::kCardTypeNotFound, "no card type " + std::string(code),
                       "card_type");
    }
    if (t->kind != core::CardKind::kGift) {
      return Invalid("card type " + std::string(code) + " is of kind " +
                         std::string(core::CardKindName(t->kind)) + ", not gift",
                     "card_type");
    }
    return *t;
  }
  ONECARD_TRY(std::vector<storage::CardTypeRecord> all, txn.ListCardTypes(tenant.id));
  std::vector<storage::CardTypeRecord> gift;
  for (storage::CardTypeRecord& t : all) {
    if (t.kind == core::CardKind::kGift) gift.push_back(std::move(t));
  }
  if (gift.empty()) {
    return MakeError(ErrorCode::kCardTypeNotFound,
                     "tenant " + tenant.code + " has no card type of kind gift; add one first",
                     "card_type");
  }
  if (gift.size() > 1) {
    return Invalid("tenant " + tenant.code + " has several gift card types: name one", "card_type");
  }
  return gift.front();
}

Result<GiftBatchView> BatchViewOf(storage::ReadTxn& txn, const TenantRef& tenant,
                                  const storage::GiftBatchRecord& b) {
  GiftBatchView v;
  v.id = b.id;
  v.code = b.code;
  v.name = b.name;
  ONECARD_TRY(std::optional<storage::CardTypeRecord> type, txn.GetCardType(tenant.id, b.card_type));
  v.card_type = type ? type->code : "";
  v.face_value = b.face_value;
  v.origin = b.origin;
  v.cards = b.cards;
  v.valid_until = b.valid_until;
  if (b.store.valid()) {
    ONECARD_TRY(std::optional<storage::StoreRecord> s, txn.GetStore(tenant.id, b.store));
    v.store = s ? s->code : "";
  }
  v.created_by = b.created_by;
  v.created_at = b.created_at;
  ONECARD_TRY(std::vector<storage::ReadTxn::GiftBatchState> states,
              txn.SumGiftBatch(tenant.id, b.id));
  for (const auto& s : states) v.states.push_back({s.state, s.cards, s.balance});
  return v;
}

bool Expired(const std::optional<core::CivilDate>& valid_until, core::CivilDate today) {
  return valid_until && today.DaysSinceEpoch() > valid_until->DaysSinceEpoch();
}

struct FailureCount {
  int failed_pins = 0;
  std::optional<core::Timestamp> locked_until;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FailureCount, failed_pins, locked_until)

std::string Who(const Request& req) {
  return req.actor.kind + ":" + req.actor.staff;
}

// The card numbered `number` and its gift record. Error: kGiftCardNotFound (no such card, or not
// a gift card).
Result<std::pair<storage::CardRecord, storage::GiftCardRecord>> FindGiftCard(
    storage::ReadTxn& txn, const TenantRef& tenant, std::string_view number) {
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn.FindCard(tenant.id, number));
  std::optional<storage::GiftCardRecord> gift;
  if (card) {
    ONECARD_TRY(gift, txn.GetGiftCard(tenant.id, card->id));
  }
  if (!gift) {
    return MakeError(ErrorCode::kGiftCardNotFound, "no gift card numbered " + std::string(number),
                     "card");
  }
  return std::pair<storage::CardRecord, storage::GiftCardRecord>{std::move(*card),
                                                                 std::move(*gift)};
}

}  // namespace

Result<std::string> LoadOrCreateSecret(const std::string& path) {
  const auto fail = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "secret file " + path + ": " + why,
                     "secret_file");
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return fail(std::strerror(errno));
    std::string secret(kSecretBytes, '\0');
    randombytes_buf(secret.data(), secret.size());
    const bool ok =
        ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(kSecretBytes) &&
        ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return fail("could not be written");
    return secret;
  }
  if (fd < 0) return fail(std::strerror(errno));
  std::string secret;
  char buf[256];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      ::close(fd);
      return fail(std::strerror(errno));
    }
    if (n == 0) break;
    secret.append(buf, static_cast<std::size_t>(n));
    if (secret.size() > 4096) break;
  }
  ::close(fd);
  if (secret.size() < kSecretBytes) return fail("holds fewer than 32 bytes");
  return secret;
}

Result<std::string> OpenGiftSecret(storage::Store& store, const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store.BeginRead());
    ONECARD_TRY(std::vector<storage::TenantRecord> tenants, txn->ListTenants());
    for (const storage::TenantRecord& t : tenants) {
      ONECARD_TRY(std::vector<storage::GiftBatchRecord> batches, txn->ListGiftBatches(t.id));
      if (!batches.empty()) {
        return MakeError(ErrorCode::kGiftSecretMismatch,
                         "the secret file " + path + " that keyed the gift cards' PINs is " +
                             "missing: restore it from where it was kept",
                         "secret_file");
      }
    }
  }
  return LoadOrCreateSecret(path);
}

GiftCardService::GiftCardService(storage::Store& store, const Clock& clock, Writer& writer,
                                 GiftOptions options)
    : store_(store), clock_(clock), writer_(writer), options_(std::move(options)) {}

core::Error GiftCardService::NoSecret(std::string_view what) const {
  return MakeError(ErrorCode::kGiftSecretMismatch,
                   options_.secret_problem.empty()
                       ? "no server secret is configured: " + std::string(what)
                       : options_.secret_problem,
                   "secret_file");
}

std::string GiftCardService::SecretId() const {
  return Digest("onecard gift secret|" + options_.secret).substr(0, 16);
}

// HMAC-SHA-256(secret, PIN) in hex: what argon2id hashes, so that the stored hash alone does
// not let anyone try PINs.
std::string GiftCardService::KeyedPin(std::string_view pin) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(options_.secret.data()),
                              options_.secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(pin.data()),
                                pin.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * sizeof mac + 1];
  return sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
}

std::string GiftCardService::HashPin(std::string_view pin) const {
  const std::string keyed = KeyedPin(pin);
  char out[crypto_pwhash_STRBYTES];
  const unsigned long long ops = options_.fast_hashing ? 1 : 2;
  const std::size_t mem = options_.fast_hashing ? crypto_pwhash_MEMLIMIT_MIN : 8u << 20;
  ONECARD_ASSERT(crypto_pwhash_str_alg(out, keyed.data(), keyed.size(), ops, mem,
                                       crypto_pwhash_ALG_ARGON2ID13) == 0,
                 "argon2id could not hash a PIN (out of memory?)");
  return out;
}

bool GiftCardService::PinMatches(const std::string& hash, std::string_view pin) const {
  const std::string keyed = KeyedPin(pin);
  return crypto_pwhash_str_verify(hash.c_str(), keyed.data(), keyed.size()) == 0;
}

// ----- batches -----

Result<GiftBatchView> GiftCardService::CreateBatch(const Request& req, const GiftBatchSpec& spec) {
  ONECARD_CHECK(ValidateBatchHead(spec.code, spec.name, spec.face_value));
  if (spec.count < 1 || spec.count > kMaxBatchCards) {
    return Invalid("count is 1 to 5,000 cards", "count");
  }
  if (spec.prefix.empty() || spec.prefix.size() > 8 || !AllDigits(spec.prefix)) {
    return Invalid("prefix is 1 to 8 digits", "prefix");
  }
  if (spec.pin_length < 4 || spec.pin_length > 12) {
    return Invalid("pin_length is 4 to 12 digits", "pin_length");
  }
  if (options_.secret.empty()) {
    return NoSecret("gift cards cannot be made");
  }
  std::set<std::string> numbers;
  std::vector<GiftCardIssued> cards;
  cards.reserve(static_cast<std::size_t>(spec.count));
  while (cards.size() < static_cast<std::size_t>(spec.count)) {
    std::string number =
        core::WithLuhnDigit(spec.prefix + RandomDigits(15 - static_cast<int>(spec.prefix.size())));
    if (!numbers.insert(number).second) continue;
    cards.push_back({std::move(number), RandomDigits(spec.pin_length), spec.face_value});
  }
  storage::GiftBatchRecord b;
  b.tenant = req.tenant.id;
  b.code = spec.code;
  b.name = spec.name;
  b.face_value = spec.face_value;
  b.origin = "generated";
  b.cards = spec.count;
  b.valid_until = spec.valid_until;
  Result<GiftBatchView> v = MakeBatch(req, std::move(b), spec.card_type, cards, {}, true);
  if (v && !v->replayed) {
    v->issued = std::move(cards);
    v->pins = "shown once: print them now; they are stored only as hashes";
  } else if (v) {
    v->pins = "not shown again: PINs are shown only in the first reply";
  }
  return v;
}

Result<GiftBatchView> GiftCardService::ImportBatch(const Request& req, const GiftImportSpec& spec) {
  ONECARD_CHECK(ValidateBatchHead(spec.code, spec.name, spec.face_value));
  if (options_.secret.empty()) {
    return NoSecret("gift cards cannot be imported");
  }
  ONECARD_TRY(core::CsvTable table, core::ParseCsv(spec.csv, kMaxBatchCards + 1));
  if (table.rows.size() < 2) {
    return Invalid("the CSV needs a header line (number,pin[,face_value]) and at least one card",
                   "csv");
  }
  int number_col = -1;
  int pin_col = -1;
  int face_col = -1;
  const std::vector<std::string>& header = table.rows[0];
  for (std::size_t i = 0; i < header.size(); ++i) {
    const int col = static_cast<int>(i);
    if (header[i] == "number") {
      number_col = col;
    } else if (header[i] == "pin") {
      pin_col = col;
    } else if (header[i] == "face_value") {
      face_col = col;
    } else {
      return Invalid("line 1: unknown column \"" + header[i] +
                         "\"; the columns are number, pin and face_value",
                     "csv");
    }
  }
  if (number_col < 0 || pin_col < 0) {
    return Invalid("line 1: the header needs the columns number and pin", "csv");
  }
  std::vector<std::string> problems;
  std::set<std::string> seen;
  std::vector<GiftCardIssued> cards;
  std::vector<int> lines;  // each card's line in the file
  for (std::size_t r = 1; r < table.rows.size() && problems.size() < 20; ++r) {
    const std::vector<std::string>& row = table.rows[r];
    const std::string at = "line " + std::to_string(table.lines[r]);
    if (row.size() != header.size()) {
      problems.push_back(at + ": " + std::to_string(row.size()) + " fields; the header has " +
                         std::to_string(header.size()));
      continue;
    }
    GiftCardIssued c;
    c.number = row[static_cast<std::size_t>(number_col)];
    c.pin = row[static_cast<std::size_t>(pin_col)];
    c.face_value = spec.face_value;
    if (Status ok = core::ValidateCardNumber(c.number, "number"); !ok) {
      problems.push_back(at + ", number: " + ok.error().message);
    } else if (!seen.insert(c.number).second) {
      problems.push_back(at + ", number: " + c.number + " appears twice in the file");
    }
    if (Status ok = ValidatePin(c.pin, "pin"); !ok)
      problems.push_back(at + ", pin: 4 to 12 digits");
    if (face_col >= 0 && !row[static_cast<std::size_t>(face_col)].empty()) {
      Result<std::int64_t> face =
          core::ParseAmount(core::Asset::kGiftValue, row[static_cast<std::size_t>(face_col)],
                            "face_value", core::SignPolicy::kPositiveOnly);
      if (!face) {
        problems.push_back(at + ", face_value: " + face.error().message);
      } else {
        c.face_value = *face;
      }
    }
    cards.push_back(std::move(c));
    lines.push_back(table.lines[r]);
  }
  if (!problems.empty()) {
    std::string message;
    for (const std::string& p : problems) message += (message.empty() ? "" : "; ") + p;
    return Invalid(message, "csv");
  }
  storage::GiftBatchRecord b;
  b.tenant = req.tenant.id;
  b.code = spec.code;
  b.name = spec.name;
  b.face_value = spec.face_value;
  b.origin = "imported";
  b.cards = static_cast<std::int64_t>(cards.size());
  b.valid_until = spec.valid_until;
  Result<GiftBatchView> v =
      MakeBatch(req, std::move(b), spec.card_type, std::move(cards), std::move(lines), false);
  if (v) v->pins = "imported";
  return v;
}

Result<GiftBatchView> GiftCardService::MakeBatch(const Request& req, storage::GiftBatchRecord b,
                                                 const std::string& card_type,
                                                 std::vector<GiftCardIssued> cards,
                                                 std::vector<int> lines, bool generated) {
  if (!req.idempotency_key.empty()) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  Canonical c = CanonicalOf(req, "gift.batch");
  c.Add("code", b.code).Add("name", b.name).Add("face", b.face_value).Add("origin", b.origin);
  c.Add("cards", b.cards).Add("until", b.valid_until ? b.valid_until->ToString() : "");
  c.Add("type", card_type);
  if (!generated) {
    for (const GiftCardIssued& card : cards)
      c.Add("number", card.number).Add("face", card.face_value);
  }
  // The PINs are hashed here, off the writer (about 10 ms each).
  std::vector<std::string> hashes;
  hashes.reserve(cards.size());
  for (const GiftCardIssued& card : cards) hashes.push_back(HashPin(card.pin));
  b.secret_id = SecretId();
  b.store = req.actor.store;
  b.created_by = req.actor.staff;
  return writer_.Call<GiftBatchView>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<GiftBatchView> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(storage::CardTypeRecord type, GiftType(txn, req.tenant, card_type));
        ONECARD_TRY(std::optional<storage::GiftBatchRecord> taken,
                    txn.FindGiftBatch(req.tenant.id, b.code));
        if (taken) {
          return MakeError(ErrorCode::kCodeTaken, "gift batch " + b.code + " exists already",
                           "code");
        }
        storage::GiftBatchRecord batch = b;
        batch.card_type = type.id;
        batch.created_at = now;
        // Every number is checked before anything is written: a refusal writes nothing.
        for (std::size_t i = 0; i < cards.size(); ++i) {
          ONECARD_TRY(std::optional<storage::CardRecord> used,
                      txn.FindCard(req.tenant.id, cards[i].number));
          if (used) {
            return MakeError(ErrorCode::kCardNumberTaken,
                             (generated ? "" : "line " + std::to_string(lines[i]) + ": ") +
                                 "card number " + cards[i].number + " is in use",
                             generated ? "cards" : "csv");
          }
        }
        ONECARD_TRY(batch.id, txn.InsertGiftBatch(batch));
        for (std::size_t i = 0; i < cards.size(); ++i) {
          storage::CardRecord card;
          card.tenant = req.tenant.id;
          card.type = type.id;
          card.number = cards[i].number;
          card.status.state = core::CardState::kInactive;
          card.issued_at = now;
          card.expires_on = batch.valid_until;
          ONECARD_TRY(card.id, txn.InsertCard(card));
          ONECARD_CHECK(txn.InsertCardEvent(
              storage::CardEventRecord{0,
                                       req.tenant.id,
                                       card.id,
                                       {},
                                       core::CardOp::kIssue,
                                       req.actor.staff,
                                       req.actor.store,
                                       "gift batch " + batch.code,
                                       "face value " + core::YuanSign(cards[i].face_value),
                                       0,
                                       now}));
          ONECARD_CHECK(txn.InsertGiftCard(storage::GiftCardRecord{
              card.id, req.tenant.id, batch.id, cards[i].face_value, hashes[i], 0, {}, {}}));
        }
        return BatchViewOf(txn, req.tenant, batch);
      },
      AuditOf(req, "gift.batch", "gift_batch", b.code));
}

Result<std::vector<GiftBatchView>> GiftCardService::ListBatches(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::GiftBatchRecord> batches, txn->ListGiftBatches(tenant.id));
  std::vector<GiftBatchView> out;
  for (const storage::GiftBatchRecord& b : batches) {
    ONECARD_TRY(GiftBatchView v, BatchViewOf(*txn, tenant, b));
    out.push_back(std::move(v));
  }
  return out;
}

Result<GiftBatchView> GiftCardService::GetBatch(const TenantRef& tenant, std::string_view code) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::GiftBatchRecord> b, txn->FindGiftBatch(tenant.id, code));
  if (!b) {
    return MakeError(ErrorCode::kGiftBatchNotFound, "no gift batch " + std::string(code), "batch");
  }
  return BatchViewOf(*txn, tenant, *b);
}

GiftCardView GiftCardViewOf(const storage::GiftCardRow& row, core::Timestamp now,
                            const std::optional<core::CivilDate>& valid_until) {
  GiftCardView v;
  v.number = row.card.number;
  v.batch = row.batch_code;
  v.state = std::string(core::CardStateName(row.card.status.state));
  v.status = row.card.status.Describe();
  v.face_value = row.gift.face_value;
  v.balance = row.balance;
  v.valid_until = valid_until;
  v.locked = row.gift.locked_until && *row.gift.locked_until > now;
  if (v.locked) v.locked_until = row.gift.locked_until;
  v.failed_pins = v.locked || !row.gift.locked_until ? row.gift.failed_pins : 0;
  return v;
}

Result<GiftCardPage> GiftCardService::ListCards(const TenantRef& tenant, std::string_view batch,
                                                std::string_view after, int limit) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::GiftBatchRecord> b, txn->FindGiftBatch(tenant.id, batch));
  if (!b) {
    return MakeError(ErrorCode::kGiftBatchNotFound, "no gift batch " + std::string(batch), "batch");
  }
  core::CardId after_id;
  if (!after.empty()) {
    ONECARD_TRY(std::optional<storage::CardRecord> card, txn->FindCard(tenant.id, after));
    if (!card) {
      return MakeError(ErrorCode::kGiftCardNotFound, "no card numbered " + std::string(after),
                       "after");
    }
    after_id = card->id;
  }
  ONECARD_TRY(std::vector<storage::GiftCardRow> rows,
              txn->ListGiftCardsOfBatch(tenant.id, b->id, after_id, limit + 1));
  GiftCardPage page;
  const core::Timestamp now = clock_.Now();
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i) {
    page.items.push_back(GiftCardViewOf(rows[i], now, b->valid_until));
  }
  if (rows.size() > static_cast<std::size_t>(limit)) page.next = page.items.back().number;
  return page;
}

// ----- selling -----

Result<GiftActivationView> GiftCardService::Activate(const Request& req,
                                                     const GiftActivateSpec& spec) {
  ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  if (!req.actor.store.valid()) {
    return MakeError(ErrorCode::kInvalidArgument, "gift cards are sold at a store: name the store",
                     "store");
  }
  if (spec.doc_no.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a sale of gift cards needs a receipt number",
                     "doc_no");
  }
  ONECARD_CHECK(ValidateNotes(spec.doc_no, ""));
  ONECARD_CHECK(core::ValidateText(spec.reference, "reference", 64));
  if (spec.numbers.empty() == spec.batch.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "give the cards' numbers or a batch (every unsold card of it), not both",
                     "numbers");
  }
  if (spec.numbers.size() > kMaxActivate) {
    return Invalid("at most 1,000 numbers at once (or a whole batch)", "numbers");
  }
  std::set<std::string_view> distinct(spec.numbers.begin(), spec.numbers.end());
  if (distinct.size() != spec.numbers.size()) {
    return Invalid("a card number is given twice", "numbers");
  }
  Canonical c = CanonicalOf(req, "gift.activate");
  c.Add("doc", spec.doc_no).Add("ref", spec.reference).Add("batch", spec.batch);
  for (const std::string& n : spec.numbers) c.Add("number", n);
  return writer_.Call<GiftActivationView>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<GiftActivationView> {
        const core::Timestamp now = clock_.Now();
        const core::CivilDate today = LocalDate(req.tenant.timezone, now);
        std::vector<std::string> numbers = spec.numbers;
        if (!spec.batch.empty()) {
          ONECARD_TRY(std::optional<storage::GiftBatchRecord> b,
                      txn.FindGiftBatch(req.tenant.id, spec.batch));
          if (!b) {
            return MakeError(ErrorCode::kGiftBatchNotFound, "no gift batch " + spec.batch, "batch");
          }
          ONECARD_TRY(
              std::vector<storage::GiftCardRow> rows,
              txn.ListGiftCardsOfBatch(req.tenant.id, b->id, {}, static_cast<int>(kMaxBatchCards)));
          for (const storage::GiftCardRow& row : rows) {
            if (row.card.status.state == core::CardState::kInactive) {
              numbers.push_back(row.card.number);
            }
          }
          if (numbers.empty()) {
            return MakeError(ErrorCode::kCardStateInvalid,
                             "gift batch " + spec.batch + " has no unsold cards", "batch");
          }
        }
        GiftActivationView v;
        v.store = req.actor.store_code;
        v.doc_no = spec.doc_no;
        v.reference = spec.reference;
        // Every card is checked before the first is written: a refusal writes nothing.
        std::vector<std::pair<storage::CardRecord, storage::GiftCardRecord>> selling;
        for (std::size_t i = 0; i < numbers.size(); ++i) {
          const std::string& number = numbers[i];
          const std::string field =
              spec.batch.empty() ? "numbers[" + std::to_string(i) + "]" : "batch";
          ONECARD_TRY(std::optional<storage::CardRecord> card, txn.FindCard(req.tenant.id, number));
          std::optional<storage::GiftCardRecord> gift;
          if (card) {
            ONECARD_TRY(gift, txn.GetGiftCard(req.tenant.id, card->id));
          }
          if (!gift) {
            return MakeError(ErrorCode::kGiftCardNotFound, "no gift card numbered " + number,
                             field);
          }
          if (card->status.state != core::CardState::kInactive) {
            return MakeError(
                ErrorCode::kCardStateInvalid,
                "gift card " + number + " is sold already (" + card->status.Describe() + ")",
                field);
          }
          if (Expired(card->expires_on, today)) {
            return MakeError(
                ErrorCode::kGiftCardExpired,
                "gift card " + number + " was valid until " + card->expires_on->ToString(), field);
          }
          selling.emplace_back(std::move(*card), std::move(*gift));
        }
        for (auto& [card_record, gift_record] : selling) {
          storage::CardRecord* card = &card_record;
          storage::GiftCardRecord* gift = &gift_record;
          const std::string& number = card->number;
          ONECARD_TRY(card->status,
                      core::ApplyCardOp(card->status, core::CardOp::kActivate, card->number));
          ONECARD_CHECK(txn.UpdateCard(*card));
          ONECARD_CHECK(txn.InsertCardEvent(
              storage::CardEventRecord{0,
                                       req.tenant.id,
                                       card->id,
                                       {},
                                       core::CardOp::kActivate,
                                       req.actor.staff,
                                       req.actor.store,
                                       "sold, receipt " + spec.doc_no,
                                       "face value " + core::YuanSign(gift->face_value),
                                       0,
                                       now}));
          LedgerTxn l(txn, req, now);
          ONECARD_TRY(ResolvedCard resolved, l.Card(number, CardUse::kMoveValue));
          ONECARD_TRY(core::AccountPlanner * holder,
                      l.Holder(resolved.owner, core::Asset::kGiftValue));
          core::EntryPlan plan;
          plan.Credit(*holder, gift->face_value,
                      core::LotSpec{std::nullopt, core::LotSource::kPaid, req.actor.store, {}});
          ONECARD_CHECK(l.PostCounterparts(plan, core::AccountRole::kFloat, req.actor.store));
          ONECARD_TRY(EntryReceipt receipt,
                      l.Write(l.Header(core::EntryKind::kTopUp, resolved, spec.doc_no,
                                       "gift card sold" +
                                           (spec.reference.empty() ? "" : ", " + spec.reference)),
                              plan));
          gift->activation_entry = core::EntryId{receipt.entry_id};
          ONECARD_CHECK(txn.UpdateGiftCard(*gift));
          v.cards.push_back({number, gift->face_value, receipt.entry_id});
          v.total += gift->face_value;
        }
        return v;
      },
      AuditOf(req, "gift.activate", "gift_card",
              spec.batch.empty() ? (spec.numbers.size() == 1 ? spec.numbers[0] : spec.doc_no)
                                 : spec.batch));
}

// ----- PINs -----

Status GiftCardService::RecordFailure(const Request& req, core::CardId card,
                                      std::string_view number, bool count_card) {
  const std::int64_t lockout = options_.lockout.count();
  const int max = options_.max_failures_per_card;
  Result<FailureCount> r = writer_.Call<FailureCount>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<FailureCount> {
        const core::Timestamp now = clock_.Now();
        ONECARD_CHECK(txn.InsertGiftPinFailure(
            storage::GiftPinFailureRecord{req.tenant.id, Who(req), req.actor.client, card, now},
            now.PlusSeconds(-lockout)));
        FailureCount out;
        if (!count_card) return out;
        ONECARD_TRY(std::optional<storage::GiftCardRecord> g, txn.GetGiftCard(req.tenant.id, card));
        if (!g) return out;
        if (g->locked_until && *g->locked_until <= now) {  // a lock that has run out: start again
          g->failed_pins = 0;
          g->locked_until.reset();
        }
        g->failed_pins += 1;
        if (g->failed_pins >= max) g->locked_until = now.PlusSeconds(lockout);
        ONECARD_CHECK(txn.UpdateGiftCard(*g));
        out.failed_pins = g->failed_pins;
        out.locked_until = g->locked_until;
        return out;
      },
      AuditOf(req, "gift.pin_wrong", "gift_card", std::string(number)));
  if (!r) return r.error();
  return {};
}

Result<GiftPinOk> GiftCardService::CheckPin(const Request& req, std::string_view number,
                                            std::string_view pin) {
  ONECARD_CHECK(ValidatePin(pin, "pin"));
  if (options_.secret.empty()) {
    return NoSecret("gift-card PINs cannot be checked");
  }
  const core::Timestamp now = clock_.Now();
  const std::int64_t lockout = options_.lockout.count();
  const std::string tz = req.tenant.timezone;
  const auto retry = [&](core::Timestamp until) { return LocalDateTime(tz, until); };
  std::optional<storage::CardRecord> card;
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(auto counts, txn->CountGiftPinFailures(req.tenant.id, Who(req), req.actor.client,
                                                       now.PlusSeconds(-lockout)));
    if (counts.first >= options_.max_failures_per_client ||
        counts.second >= options_.max_failures_per_client) {
      const std::string from = counts.first >= options_.max_failures_per_client
                                   ? req.actor.staff
                                   : "address " + req.actor.client;
      return MakeError(ErrorCode::kGiftClientLocked,
                       "too many wrong gift-card PINs from " + from + "; retry after " +
                           retry(now.PlusSeconds(lockout)),
                       "pin");
    }
    ONECARD_TRY(card, txn->FindCard(req.tenant.id, number));
    std::optional<storage::GiftCardRecord> gift;
    if (card) {
      ONECARD_TRY(gift, txn->GetGiftCard(req.tenant.id, card->id));
    }
    if (!gift) card.reset();
  }
  if (!card) {
    ONECARD_CHECK(RecordFailure(req, {}, number, false));
    return MakeError(ErrorCode::kGiftCardNotFound,
                     "no gift card numbered " + std::string(number) + " (counted as a wrong PIN)",
                     "card");
  }
  // One check of a card at a time: each wrong PIN is durable before the next check reads it.
  std::lock_guard lock(CardLock(card->id));
  storage::GiftCardRecord gift;
  std::string secret_id;
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(std::optional<storage::GiftCardRecord> g,
                txn->GetGiftCard(req.tenant.id, card->id));
    ONECARD_ASSERT(g.has_value(), "a gift card vanished");
    gift = std::move(*g);
    ONECARD_TRY(std::optional<storage::GiftBatchRecord> b,
                txn->GetGiftBatch(req.tenant.id, gift.batch));
    ONECARD_ASSERT(b.has_value(), "a gift card's batch is missing");
    secret_id = b->secret_id;
  }
  const core::Timestamp at = clock_.Now();
  if (gift.locked_until && *gift.locked_until > at) {
    return MakeError(ErrorCode::kGiftCardLocked,
                     "gift card " + card->number + " is locked after " +
                         std::to_string(gift.failed_pins) + " wrong PINs; retry after " +
                         retry(*gift.locked_until) + " or ask a manager to unlock it",
                     "pin");
  }
  if (secret_id != SecretId()) {
    return MakeError(ErrorCode::kGiftSecretMismatch,
                     "this server's secret is not the one the card's batch was made with: "
                     "restore the secret file (nothing was counted)",
                     "pin");
  }
  if (!PinMatches(gift.pin_hash, pin)) {
    ONECARD_CHECK(RecordFailure(req, card->id, card->number, true));
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(std::optional<storage::GiftCardRecord> g,
                txn->GetGiftCard(req.tenant.id, card->id));
    if (g && g->locked_until && *g->locked_until > at) {
      return MakeError(ErrorCode::kGiftCardLocked,
                       "wrong PIN for gift card " + card->number + "; after " +
                           std::to_string(g->failed_pins) +
                           " wrong PINs it is locked; retry after " + retry(*g->locked_until) +
                           " or ask a manager to unlock it",
                       "pin");
    }
    const int left = options_.max_failures_per_card - (g ? g->failed_pins : 0);
    return MakeError(ErrorCode::kGiftPinWrong,
                     "wrong PIN for gift card " + card->number + "; " + std::to_string(left) +
                         (left == 1 ? " try" : " tries") + " left before it locks",
                     "pin");
  }
  return GiftPinOk{card->id, gift.failed_pins, gift.locked_until};
}

bool ResetAfterRightPin(storage::GiftCardRecord& gift, const GiftPinOk& seen) {
  if (gift.failed_pins == 0 && !gift.locked_until) return false;
  if (gift.failed_pins != seen.failed_pins || gift.locked_until != seen.locked_until) return false;
  gift.failed_pins = 0;
  gift.locked_until.reset();
  return true;
}

Result<GiftCardView> GiftCardService::Show(const TenantRef& tenant, std::string_view number) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn->FindCard(tenant.id, number));
  std::optional<storage::GiftCardRecord> gift;
  if (card) {
    ONECARD_TRY(gift, txn->GetGiftCard(tenant.id, card->id));
  }
  if (!gift) {
    return MakeError(ErrorCode::kGiftCardNotFound, "no gift card numbered " + std::string(number),
                     "card");
  }
  ONECARD_TRY(std::optional<storage::GiftBatchRecord> b, txn->GetGiftBatch(tenant.id, gift->batch));
  ONECARD_TRY(
      std::vector<storage::GiftCardRow> rows,
      txn->ListGiftCardsOfBatch(tenant.id, gift->batch, core::CardId{card->id.value - 1}, 1));
  ONECARD_ASSERT(!rows.empty() && rows.front().card.id == card->id, "a gift card row is missing");
  return GiftCardViewOf(rows.front(), clock_.Now(), b ? b->valid_until : std::nullopt);
}

Result<GiftCardView> GiftCardService::Balance(const Request& req, std::string_view number,
                                              std::string_view pin) {
  ONECARD_TRY(GiftPinOk ok, CheckPin(req, number, pin));
  if (ok.failed_pins > 0 || ok.locked_until) {  // a right PIN ends a run of wrong ones
    Result<FailureCount> reset = writer_.Call<FailureCount>(
        req.tenant.id, "", "", [&](storage::WriteTxn& txn) -> Result<FailureCount> {
          ONECARD_TRY(std::optional<storage::GiftCardRecord> g,
                      txn.GetGiftCard(req.tenant.id, ok.card));
          if (g && ResetAfterRightPin(*g, ok)) ONECARD_CHECK(txn.UpdateGiftCard(*g));
          return FailureCount{};
        });
    if (!reset) return reset.error();
  }
  return Show(req.tenant, number);
}

Result<GiftCardView> GiftCardService::Unlock(const Request& req, std::string_view number) {
  Result<FailureCount> r = writer_.Call<FailureCount>(
      req.tenant.id, req.idempotency_key,
      CanonicalOf(req, "gift.unlock").Add("number", number).digest(),
      [&](storage::WriteTxn& txn) -> Result<FailureCount> {
        ONECARD_TRY(auto found, FindGiftCard(txn, req.tenant, number));
        auto& [card, g] = found;
        FailureCount before{g.failed_pins, g.locked_until};
        g.failed_pins = 0;
        g.locked_until.reset();
        ONECARD_CHECK(txn.UpdateGiftCard(g));
        return before;
      },
      AuditOf(req, "gift.unlock", "gift_card", std::string(number)));
  if (!r) return r.error();
  return Show(req.tenant, number);
}

Result<GiftPinReset> GiftCardService::ResetPin(const Request& req, std::string_view number,
                                               int pin_length) {
  if (pin_length < 4 || pin_length > 12)
    return Invalid("pin_length is 4 to 12 digits", "pin_length");
  if (options_.secret.empty()) return NoSecret("gift-card PINs cannot be set");
  const std::string pin = RandomDigits(pin_length);
  const std::string hash = HashPin(pin);  // off the writer
  const std::string secret_id = SecretId();
  Result<GiftPinReset> r = writer_.Call<GiftPinReset>(
      req.tenant.id, req.idempotency_key,
      CanonicalOf(req, "gift.pin_reset").Add("number", number).Add("length", pin_length).digest(),
      [&](storage::WriteTxn& txn) -> Result<GiftPinReset> {
        ONECARD_TRY(auto found, FindGiftCard(txn, req.tenant, number));
        auto& [card, g] = found;
        ONECARD_TRY(std::optional<storage::GiftBatchRecord> b,
                    txn.GetGiftBatch(req.tenant.id, g.batch));
        if (b && b->secret_id != secret_id) {
          return MakeError(ErrorCode::kGiftSecretMismatch,
                           "this server's secret is not the one the card's batch was made with: "
                           "restore the secret file",
                           "card");
        }
        g.pin_hash = hash;
        g.failed_pins = 0;
        g.locked_until.reset();
        ONECARD_CHECK(txn.UpdateGiftCard(g));
        ONECARD_TRY(
            std::vector<storage::GiftCardRow> rows,
            txn.ListGiftCardsOfBatch(req.tenant.id, g.batch, core::CardId{card.id.value - 1}, 1));
        ONECARD_ASSERT(!rows.empty(), "a gift card row is missing");
        return GiftPinReset{
            GiftCardViewOf(rows.front(), clock_.Now(), b ? b->valid_until : std::nullopt), "",
            false};
      },
      AuditOf(req, "gift.pin_reset", "gift_card", std::string(number)));
  if (r && !r->replayed) r->pin = pin;  // never stored: not in the reply kept for the key
  return r;
}

// ----- reconciliation -----

namespace {

GiftReportView ReportViewOf(const storage::GiftReportRecord& r) {
  GiftReportView v;
  v.id = r.id;
  v.at = r.at;
  v.staff = r.staff;
  v.previous_id = r.previous_id;
  v.previous_at = r.previous_at;
  v.after_entry = r.after_entry;
  v.last_entry = r.last_entry;
  v.opening = r.opening;
  v.closing = r.closing;
  nlohmann::json detail = nlohmann::json::parse(r.detail, nullptr, false);
  if (detail.is_object()) {
    v.issued = detail.value("issued", std::int64_t{0});
    v.issued_cards = detail.value("issued_cards", std::int64_t{0});
    v.consumed = detail.value("consumed", std::int64_t{0});
    v.refunded = detail.value("refunded", std::int64_t{0});
    v.other = detail.value("other", std::int64_t{0});
    v.cards_with_balance = detail.value("cards_with_balance", std::int64_t{0});
    if (detail.contains("lines")) v.lines = detail["lines"].get<std::vector<GiftReportLine>>();
  }
  v.difference = v.closing - (v.opening + v.issued - v.consumed + v.refunded + v.other);
  v.balanced = v.difference == 0;
  return v;
}

}  // namespace

Result<GiftReportView> GiftCardService::TakeReport(const Request& req) {
  return writer_.Call<GiftReportView>(
      req.tenant.id, req.idempotency_key, CanonicalOf(req, "gift.report").digest(),
      [&](storage::WriteTxn& txn) -> Result<GiftReportView> {
        storage::GiftReportRecord r;
        r.tenant = req.tenant.id;
        r.at = clock_.Now();
        r.staff = req.actor.staff;
        ONECARD_TRY(std::optional<storage::GiftReportRecord> prev,
                    txn.LatestGiftReport(req.tenant.id));
        if (prev) {
          r.previous_id = prev->id;
          r.previous_at = prev->at;
          r.after_entry = prev->last_entry;
          r.opening = prev->closing;
        }
        ONECARD_TRY(r.last_entry, txn.MaxEntryId());
        ONECARD_TRY(std::vector<storage::GiftTotalsRow> rows,
                    txn.SumGiftMovements(req.tenant.id, r.after_entry, r.last_entry));
        ONECARD_TRY(auto balances, txn.SumGiftBalances(req.tenant.id));
        r.closing = balances.first;
        std::int64_t issued = 0;
        std::int64_t issued_cards = 0;
        std::int64_t consumed = 0;
        std::int64_t refunded = 0;
        std::int64_t net = 0;
        std::vector<GiftReportLine> lines;
        for (const storage::GiftTotalsRow& row : rows) {
          lines.push_back({row.kind, row.store, row.count, row.credits, row.debits});
          net += row.credits + row.debits;
          if (row.kind == "top_up") {
            issued += row.credits;
            issued_cards += row.count;
          } else if (row.kind == "sale" || row.kind == "payment") {
            consumed -= row.debits;
          } else if (row.kind == "return") {
            refunded += row.credits;
          }
        }
        // top_up debits, sale credits and return debits do not happen; if they did they would
        // show in `other` rather than vanish.
        const std::int64_t other = net - (issued - consumed + refunded);
        r.detail = nlohmann::json{{"issued", issued},     {"issued_cards", issued_cards},
                                  {"consumed", consumed}, {"refunded", refunded},
                                  {"other", other},       {"cards_with_balance", balances.second},
                                  {"lines", lines}}
                       .dump();
        ONECARD_TRY(r.id, txn.InsertGiftReport(r));
        return ReportViewOf(r);
      },
      AuditOf(req, "gift.report", "gift_report", ""));
}

Result<GiftReportView> GiftCardService::GetReport(const TenantRef& tenant, std::int64_t id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::GiftReportRecord> r, txn->GetGiftReport(tenant.id, id));
  if (!r) {
    return MakeError(ErrorCode::kGiftReportNotFound, "no gift-card report " + std::to_string(id),
                     "id");
  }
  return ReportViewOf(*r);
}

Result<std::vector<GiftReportView>> GiftCardService::ListReports(const TenantRef& tenant,
                                                                 std::int64_t before, int limit) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::GiftReportRecord> records,
              txn->ListGiftReports(tenant.id, before, limit));
  std::vector<GiftReportView> out;
  for (const storage::GiftReportRecord& r : records) {
    ONECARD_TRY(std::optional<storage::GiftReportRecord> full, txn->GetGiftReport(tenant.id, r.id));
    out.push_back(ReportViewOf(full.value_or(r)));
  }
  return out;
}

Result<std::string> GiftCardService::ReportCsv(const TenantRef& tenant, std::int64_t id) {
  ONECARD_TRY(GiftReportView v, GetReport(tenant, id));
  const auto yuan = [](std::int64_t fen) {
    return core::FormatAmount(core::Asset::kGiftValue, fen);
  };
  std::string out;
  const auto row = [&](std::vector<std::string> fields) { out += core::CsvRecord(fields); };
  row({"report", "taken_at", "previous_report", "previous_at", "entries_after", "last_entry"});
  row({std::to_string(v.id), LocalDateTime(tenant.timezone, v.at),
       v.previous_id ? std::to_string(v.previous_id) : "",
       v.previous_at ? LocalDateTime(tenant.timezone, *v.previous_at) : "",
       std::to_string(v.after_entry), std::to_string(v.last_entry)});
  row({});
  row({"kind", "store", "postings", "credits", "debits"});
  for (const GiftReportLine& l : v.lines) {
    row({l.kind, l.store, std::to_string(l.count), yuan(l.credits), yuan(l.debits)});
  }
  row({});
  row({"item", "amount"});
  row({"balance at the previous report", yuan(v.opening)});
  row({"issued (" + std::to_string(v.issued_cards) + " cards activated)", yuan(v.issued)});
  row({"consumed", yuan(v.consumed)});
  row({"refunded by returns", yuan(v.refunded)});
  row({"other (adjustments, reversals)", yuan(v.other)});
  row({"balance now", yuan(v.closing)});
  row({"cards with a balance", std::to_string(v.cards_with_balance)});
  row({"difference", yuan(v.difference)});
  return out;
}

Result<GiftListing> GiftCardService::Listing(const TenantRef& tenant, const GiftListingQuery& q) {
  storage::GiftMovementFilter f;
  if (q.what == "issuance") {
    f.kinds = {"top_up"};
  } else if (q.what == "consumption") {
    f.kinds = {"sale", "payment", "return"};
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "a listing is issuance or consumption", "what");
  }
  if (q.limit < 1 || q.limit > 1000) return Invalid("limit is 1 to 1,000", "limit");
  f.from = q.from;
  f.to = q.to;
  f.batch = q.batch;
  f.after_entry = q.after;
  f.limit = q.limit + 1;  // one more tells whether there is a next page
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::GiftMovementRecord> rows, txn->ListGiftMovements(tenant.id, f));
  GiftListing out;
  if (rows.size() > static_cast<std::size_t>(q.limit)) {
    // A page ends on a whole entry (a sale may pay from several gift cards): an entry cut by
    // the limit goes to the next page, unless it is all the page has.
    const core::EntryId cut = rows[static_cast<std::size_t>(q.limit)].entry;
    rows.resize(static_cast<std::size_t>(q.limit));
    if (rows.back().entry == cut && rows.front().entry != cut) {
      while (rows.back().entry == cut) rows.pop_back();
    } else if (rows.front().entry == cut) {  // one entry longer than the page: all of it
      storage::GiftMovementFilter whole = f;
      whole.after_entry = cut.value - 1;
      whole.limit = 1000;
      ONECARD_TRY(rows, txn->ListGiftMovements(tenant.id, whole));
      while (!rows.empty() && rows.back().entry != cut) rows.pop_back();
    }
    out.next_after = rows.back().entry.value;
  }
  for (const storage::GiftMovementRecord& m : rows) {
    out.items.push_back({m.entry.value, m.kind, m.at, m.store, m.doc_no, m.staff, m.number, m.batch,
                         m.amount, m.balance_after});
    out.total += m.amount;
  }
  out.count = static_cast<std::int64_t>(out.items.size());
  return out;
}

Result<std::string> GiftCardService::ListingCsv(const TenantRef& tenant, GiftListingQuery q) {
  const auto yuan = [](std::int64_t fen) {
    return core::FormatAmount(core::Asset::kGiftValue, fen);
  };
  std::string out =
      core::CsvRecord(std::vector<std::string>{"entry", "kind", "at", "store", "doc_no", "staff",
                                               "card", "batch", "amount", "balance_after"});
  q.limit = 1000;
  std::int64_t total = 0;
  std::int64_t count = 0;
  while (true) {
    ONECARD_TRY(GiftListing page, Listing(tenant, q));
    for (const GiftMovementView& m : page.items) {
      out += core::CsvRecord(std::vector<std::string>{
          std::to_string(m.entry_id), m.kind, LocalDateTime(tenant.timezone, m.at), m.store,
          m.doc_no, m.staff, m.card, m.batch, yuan(m.amount), yuan(m.balance_after)});
    }
    total += page.total;
    count += page.count;
    if (!page.next_after) break;
    q.after = *page.next_after;
  }
  out += core::CsvRecord(std::vector<std::string>{"total", std::to_string(count) + " postings", "",
                                                  "", "", "", "", "", yuan(total), ""});
  return out;
}

}  // namespace onecard::service
