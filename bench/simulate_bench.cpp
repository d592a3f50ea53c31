// `programme simulate` over a million recorded sales (issue #4, item 9): the time to replay every
// sale of a year under a draft of P2 (twice its earn rate), against a baseline in the same run —
// reading the same sales with their lines and doing nothing with them, the least a replay must
// do. See bench/README.md.
//
//   onecard_simulate_bench [--sales N] [--members M] [--db PATH] [--keep]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "service/calendar.hpp"
#include "service/services.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

using namespace onecard;
using Clock = std::chrono::steady_clock;

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "simulate bench: %s failed\n", what.c_str());
    std::exit(1);
  }
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t sales = 1'000'000;
  std::int64_t members = 50'000;
  std::string db = (std::filesystem::temp_directory_path() / "onecard-simulate-bench.db").string();
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sales") == 0 && i + 1 < argc) {
      sales = std::stoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--members") == 0 && i + 1 < argc) {
      members = std::stoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
      db = argv[++i];
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      keep = true;
    } else {
      std::fprintf(
          stderr, "usage: onecard_simulate_bench [--sales N] [--members M] [--db PATH] [--keep]\n");
      return 2;
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  auto store =
      storage::sqlite::OpenStore(db, {storage::OpenMode::kCreate, storage::Durability::kNormal});
  Check(store.ok(), "creating " + db);
  service::SystemClock clock;
  service::Services services(**store, clock);
  auto tenant = services.org().CreateTenant("bench", "Bench", "Asia/Shanghai");
  Check(tenant.ok(), "tenant");
  const service::Request admin = service::RequestAs(*tenant, service::ActorNamed("bench"));
  for (const char* code : {"s1", "s2", "s3"}) {
    Check(services.org().AddStore(admin, code, code, "", "").ok(), "store");
  }

  // A year of sales: 3 lines each, members chosen at random, dates in order through 2026.
  const auto generate = Clock::now();
  {
    auto txn = (*store)->BeginWrite();
    Check(txn.ok(), "begin");
    std::mt19937_64 rng(7);
    for (std::int64_t i = 0; i < members; ++i) {
      storage::MemberRecord m;
      m.tenant = tenant->id;
      m.profile.name = "member " + std::to_string(i);
      if (i % 3 == 0) {
        m.profile.birthday = core::CivilDate::Parse("1980-01-01", "d")
                                 ->PlusDays(static_cast<std::int64_t>(rng() % 10000));
      }
      m.created_at = clock.Now();
      m.updated_at = m.created_at;
      Check((*txn)->InsertMember(m).ok(), "member");
    }
    auto stores = (*txn)->ListStores(tenant->id);
    Check(stores.ok(), "stores");
    const auto year = *core::CivilDate::Parse("2026-01-01", "d");
    const char* skus[] = {"TEA-500", "CUP-01", "SOFA", "LAMP", "RUG", "PEN"};
    const char* cats[] = {"food,tea", "home", "home,furniture", "home,light", "non-earning", ""};
    for (std::int64_t i = 0; i < sales; ++i) {
      storage::SaleRecord s;
      s.tenant = tenant->id;
      s.member = core::MemberId{
          1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(members))};
      s.store = (*stores)[static_cast<std::size_t>(i % 3)].id;
      s.doc_no = "R" + std::to_string(i);
      s.staff = "bench";
      s.business_date = year.PlusDays(i * 365 / sales);
      s.at = *service::StartOfLocalDay("Asia/Shanghai", s.business_date);
      s.at = s.at.PlusSeconds(9 * 3600 + static_cast<std::int64_t>(rng() % 36000));
      s.programme_version = 1;
      s.tier_before = s.tier = s.tier_after = "ordinary";
      s.point_asset = "points";
      s.explain = "[]";
      for (int l = 0; l < 3; ++l) {
        storage::SaleLineRecord line;
        const std::size_t k = static_cast<std::size_t>(rng() % 6);
        line.line_no = l + 1;
        line.sku = skus[k];
        line.item_class = "goods";
        line.categories = cats[k];
        line.quantity = 1 + static_cast<std::int64_t>(rng() % 3);
        line.unit_price = 500 + static_cast<std::int64_t>(rng() % 200000);
        line.list = line.quantity * line.unit_price;
        line.paid = line.list;
        line.points = line.paid / 10000;
        s.list_total += line.list;
        s.paid_total += line.paid;
        s.points_earned += line.points;
        s.lines.push_back(std::move(line));
      }
      Check((*txn)->InsertSale(s).ok(), "sale");
    }
    Check((*txn)->Commit().ok(), "commit");
  }
  {
    // As in a database that has been running for a year: the sales are in the main file, not
    // in the write-ahead log.
    sqlite3* raw = nullptr;
    Check(sqlite3_open(db.c_str(), &raw) == SQLITE_OK, "open for checkpoint");
    Check(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) ==
              SQLITE_OK,
          "checkpoint");
    sqlite3_close(raw);
  }
  std::printf("generated %lld sales (3 lines each) of %lld members in %.1f s\n",
              static_cast<long long>(sales), static_cast<long long>(members), Seconds(generate));

  const auto from = *core::CivilDate::Parse("2026-01-01", "d");
  const auto to = *core::CivilDate::Parse("2026-12-31", "d");
  std::string p2 = ReadFile(std::string(ONECARD_EXAMPLES_DIR) + "/p2.toml");
  const std::string rate = "rate = { points = 1, per = 100 }";
  p2.replace(p2.find(rate), rate.size(), "rate = { points = 2, per = 100 }");

  for (int round = 0; round < 2; ++round) {
    const auto scan_start = Clock::now();
    std::int64_t scanned = 0;
    {
      auto txn = (*store)->BeginRead();
      Check(txn.ok(), "read");
      Check((*txn)
                ->ForEachSale(tenant->id, from, to,
                              [&](const storage::SaleRecord& s) -> core::Status {
                                scanned += static_cast<std::int64_t>(s.lines.size());
                                return {};
                              })
                .ok(),
            "scan");
    }
    const double scan = Seconds(scan_start);
    const auto sim_start = Clock::now();
    auto report = services.programmes().Simulate(*tenant, p2, from, to);
    const double sim = Seconds(sim_start);
    Check(report.ok(), "simulate");
    Check(report->sales == sales && report->failed == 0, "every sale replayed");
    std::printf(
        "round %d: simulate %.2f s (%.0f sales/s); baseline scan %.2f s (%lld lines); ratio "
        "%.2f; points actual %lld, draft %lld\n",
        round + 1, sim, static_cast<double>(sales) / sim, scan, static_cast<long long>(scanned),
        scan / sim, static_cast<long long>(report->actual.points_issued),
        static_cast<long long>(report->draft.points_issued));
  }
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  return 0;
}
