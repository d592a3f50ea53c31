// The demo tenant that `onecard init --demo` (and `make run`) creates: a small tea-and-bakery
// chain with regions, stores, card types, custom fields, members with realistic months of
// history (earning, spending, top-ups with bonus, a payment, expiry, a lost card replaced, a
// frozen card, a linked family card, a gift card, an open hold). Everything is written through
// the services, so the demo's books pass `verify` like any others.
#pragma once

#include <string>
#include <vector>

#include "core/time.hpp"
#include "service/gift_service.hpp"
#include "service/views.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct DemoCard {
  std::string number;
  std::string holder;
  std::string note;
};

// A demo staff login. The passwords are public: a demo database is for trying OneCard out.
struct DemoLogin {
  std::string username;
  std::string password;
  std::string role;
  std::string store;
  std::string display_name;
};
std::vector<DemoLogin> DemoLogins();

struct DemoSummary {
  std::string tenant;
  std::int64_t stores = 0;
  std::int64_t members = 0;
  std::int64_t cards = 0;
  std::int64_t entries = 0;
  std::string programme;             // the loyalty programme in force
  std::vector<DemoCard> highlights;  // cards worth looking at, with what they show
  std::vector<DemoLogin> logins;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DemoCard, number, holder, note)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DemoLogin, username, password, role, store, display_name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DemoSummary, tenant, stores, members, cards, entries, programme,
                                   highlights, logins)

// Fills an empty store with the demo tenant; its history ends at `now`.
// `gifts` carries the server secret the demo gift cards' PINs are hashed with.
core::Result<DemoSummary> LoadDemo(storage::Store& store, core::Timestamp now, GiftOptions gifts);

}  // namespace onecard::service
