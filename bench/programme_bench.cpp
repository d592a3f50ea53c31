// Evaluations per second of a 5-line basket under the P2 and P4 example programmes (issue #4,
// item 9), on one core, with and without the explanation, against a baseline in the same run:
// copying the basket (its lines and their strings), the least any evaluation that returns priced
// lines must do. See bench/README.md.
//
//   onecard_programme_bench [--seconds S] [--json]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/programme.hpp"
#include "programme/document.hpp"

namespace {

using namespace onecard;
using Clock = std::chrono::steady_clock;

core::BasketLine Line(const char* sku, std::int64_t qty, std::int64_t price,
                      std::vector<std::string> categories) {
  core::BasketLine l;
  l.sku = sku;
  l.quantity = qty;
  l.unit_price = price;
  l.categories = std::move(categories);
  return l;
}

// Runs `fn` in batches until `seconds` pass; returns calls per second.
template <class Fn>
double Rate(double seconds, Fn&& fn) {
  const auto start = Clock::now();
  std::int64_t calls = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 1000; ++i) fn();
    calls += 1000;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(calls) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      std::fprintf(stderr, "usage: onecard_programme_bench [--seconds S] [--json]\n");
      return 2;
    }
  }
  const std::vector<core::BasketLine> basket = {
      Line("SOFA", 1, 1'299'900, {"furniture"}), Line("CUSHION", 4, 9'950, {"textile"}),
      Line("LAMP", 2, 45'000, {"lighting"}), Line("WINE", 3, 12'800, {"high-margin"}),
      Line("BAG", 1, 1'000, {"non-earning"})};
  core::MemberState member;
  member.birthday = core::CivilDate{1990, 5, 20};
  member.cumulative_points = 500;
  const core::EvalContext at{core::CivilDate{2026, 5, 1}, 14 * 60, "new-store"};
  volatile std::int64_t sink = 0;
  const double baseline = Rate(seconds, [&] {
    std::vector<core::BasketLine> copy = basket;
    sink = sink + copy.back().unit_price;
  });
  std::printf("%-10s %14s %14s %8s\n", "programme", "evals/s", "baseline/s", "ratio");
  for (const char* name : {"p2", "p4"}) {
    const std::string path = std::string(ONECARD_EXAMPLES_DIR) + "/" + name + ".toml";
    core::Result<core::Programme> p = programme::LoadProgramme(path);
    if (!p) {
      std::fprintf(stderr, "%s\n", p.error().message.c_str());
      return 1;
    }
    core::MemberState m = member;
    m.tier = p->tiers.size() > 1 ? p->tiers[1].code : "";
    for (const bool explain : {true, false}) {
      const core::Explain say = explain ? core::Explain::kYes : core::Explain::kNo;
      const double rate = Rate(seconds, [&] {
        core::Result<core::Evaluation> e = core::Evaluate(*p, m, basket, at, say);
        sink = sink + (e ? e->points : -1);
      });
      const std::string label = std::string(name) + (explain ? " +explain" : "");
      std::printf("%-10s %14.0f %14.0f %8.3f\n", label.c_str(), rate, baseline, rate / baseline);
      if (json) {
        std::printf(
            "{\"programme\":\"%s\",\"explain\":%s,\"evals_per_s\":%.0f,"
            "\"baseline_per_s\":%.0f}\n",
            name, explain ? "true" : "false", rate, baseline);
      }
    }
  }
  return 0;
}
