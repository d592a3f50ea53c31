// crash_writer DB RUN CARD... : a stream of durable earns and spends through the service layer,
// from four threads, printing "ack KEY" once each is acknowledged (after its group commit).
// crash_test kills it with SIGKILL at random moments and checks the database afterwards.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "service/services.hpp"
#include "storage/sqlite/sqlite_store.hpp"

int main(int argc, char** argv) {
  using namespace onecard;
  if (argc < 4) {
    std::fprintf(stderr, "usage: crash_writer DB RUN CARD...\n");
    return 2;
  }
  const std::string run = argv[2];
  std::vector<std::string> cards(argv + 3, argv + argc);
  auto store = storage::sqlite::OpenStore(
      argv[1], {storage::OpenMode::kExisting, storage::Durability::kFull});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  service::SystemClock clock;
  service::Services services(**store, clock, service::WriterOptions{16});
  auto tenant = services.org().ResolveTenant("");
  if (!tenant) return 1;
  const service::Request base = service::RequestAs(*tenant, service::ActorNamed("crash"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100000; ++i) {
        service::Request req = base;
        req.idempotency_key = run + "-" + std::to_string(t) + "-" + std::to_string(i);
        const std::string& card = cards[static_cast<std::size_t>(i + t) % cards.size()];
        core::Status s;
        if (i % 3 == 2) {
          s = core::AsStatus(services.ledger().Spend(
              req, service::SpendRequest{card, core::AssetSelection::kAnyPoints, 7, "", ""}));
        } else {
          s = core::AsStatus(services.ledger().Earn(
              req, service::EarnRequest{card, core::Asset::kPoints, 5, std::nullopt, "", ""}));
        }
        if (s) {
          std::printf("ack %s\n", req.idempotency_key.c_str());
        } else {
          std::printf("refused %s %s\n", req.idempotency_key.c_str(),
                      std::string(core::ErrorCodeName(s.error().code)).c_str());
        }
        std::fflush(stdout);
      }
    });
  }
  for (auto& th : threads) th.join();
  return 0;
}
