// SqliteTxn: the checks behind `onecard verify`. Each recomputes a figure from the journal
// (postings and lot moves, which are never updated) and compares it with what is stored.
// The SQL is portable (window functions, grouped subqueries) so the PostgreSQL backend can share
// it.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

std::string Figures(std::initializer_list<std::pair<const char*, std::int64_t>> figures) {
  std::string out;
  for (const auto& [name, value] : figures) {
    out += (out.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(value);
  }
  return out;
}

// Runs `sql` and appends one discrepancy per row, built by `make`.
template <class Make>
Status Collect(Connection& conn, const char* sql, std::vector<Discrepancy>& out, Make make) {
  ONECARD_TRY(Stmt st, conn.Prepare(sql));
  while (true) {
    ONECARD_TRY(bool row, st.Step());
    if (!row) return {};
    out.push_back(make(st));
  }
}

}  // namespace

Result<std::vector<Discrepancy>> SqliteTxn::CheckStorageIntegrity() {
  std::vector<Discrepancy> out;
  ONECARD_CHECK(Collect(conn_, "PRAGMA quick_check", out, [](const Stmt& s) {
    return Discrepancy{"database", 0, "integrity: " + s.Text(0)};
  }));
  if (out.size() == 1 && out[0].detail == "integrity: ok") out.clear();
  ONECARD_CHECK(Collect(conn_, "PRAGMA foreign_key_check", out, [](const Stmt& s) {
    return Discrepancy{"database", s.Int(1),
                       "row " + std::to_string(s.Int(1)) + " of " + s.Text(0) +
                           " refers to a missing row of " + s.Text(2)};
  }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckEntriesBalance() {
  std::vector<Discrepancy> out;
  ONECARD_CHECK(Collect(conn_,
                        "SELECT entry_id, asset, sum(amount) FROM postings "
                        "GROUP BY entry_id, asset HAVING sum(amount) <> 0 ORDER BY entry_id",
                        out, [](const Stmt& s) {
                          return Discrepancy{"entry", s.Int(0),
                                             s.Text(1) + " postings sum to " +
                                                 std::to_string(s.Int(2)) + ", not 0"};
                        }));
  ONECARD_CHECK(Collect(conn_,
                        "SELECT e.id, count(p.entry_id) FROM entries e LEFT JOIN postings p "
                        "ON p.entry_id = e.id GROUP BY e.id HAVING count(p.entry_id) < 2 "
                        "ORDER BY e.id",
                        out, [](const Stmt& s) {
                          return Discrepancy{"entry", s.Int(0),
                                             "has " + std::to_string(s.Int(1)) +
                                                 " posting(s); an entry needs at least two"};
                        }));
  ONECARD_CHECK(Collect(conn_,
                        "SELECT p.entry_id, p.account_id, p.asset, a.asset FROM postings p "
                        "JOIN accounts a ON a.id = p.account_id WHERE p.asset <> a.asset",
                        out, [](const Stmt& s) {
                          return Discrepancy{"entry", s.Int(0),
                                             "posting on account " + std::to_string(s.Int(1)) +
                                                 " is in " + s.Text(2) + " on a " + s.Text(3) +
                                                 " account"};
                        }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckAccounts() {
  std::vector<Discrepancy> out;
  // Cached balance and debt against the journal, and the lots against both.
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT a.id, a.balance, COALESCE(p.total, 0), a.debt, COALESCE(d.total, 0), "
      "COALESCE(l.total, 0), a.credit_limit FROM accounts a "
      "LEFT JOIN (SELECT account_id, sum(amount) AS total FROM postings GROUP BY account_id) p "
      "  ON p.account_id = a.id "
      "LEFT JOIN (SELECT account_id, sum(delta) AS total FROM lot_moves WHERE lot_id IS NULL "
      "  GROUP BY account_id) d ON d.account_id = a.id "
      "LEFT JOIN (SELECT account_id, sum(remaining) AS total FROM lots GROUP BY account_id) l "
      "  ON l.account_id = a.id "
      "WHERE a.holder_kind = 'card' AND (a.balance <> COALESCE(p.total, 0) "
      "  OR a.debt <> COALESCE(d.total, 0) OR a.balance <> COALESCE(l.total, 0) + a.debt "
      "  OR a.debt > 0 OR a.debt < -a.credit_limit) ORDER BY a.id",
      out, [](const Stmt& s) {
        return Discrepancy{"account", s.Int(0),
                           Figures({{"stored balance", s.Int(1)},
                                    {"sum of postings", s.Int(2)},
                                    {"stored debt", s.Int(3)},
                                    {"sum of debt moves", s.Int(4)},
                                    {"sum of lots", s.Int(5)},
                                    {"credit limit", s.Int(6)}})};
      }));
  // The tenant's and stores' accounts keep no cached figures and no lots.
  ONECARD_CHECK(Collect(conn_,
                        "SELECT a.id, a.balance, a.debt FROM accounts a WHERE a.holder_kind <> "
                        "'card' AND (a.balance <> 0 OR a.debt <> 0 OR EXISTS (SELECT 1 FROM lots "
                        "l WHERE l.account_id = a.id)) ORDER BY a.id",
                        out, [](const Stmt& s) {
                          return Discrepancy{
                              "account", s.Int(0),
                              "a programme account has cached figures or lots (" +
                                  Figures({{"balance", s.Int(1)}, {"debt", s.Int(2)}}) + ")"};
                        }));
  // Every receipt's balance-after against the running sum of the journal.
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT account_id, entry_id, COALESCE(balance_after, -1), running FROM ("
      " SELECT p.account_id, p.entry_id, p.balance_after, sum(p.amount) OVER ("
      "  PARTITION BY p.account_id ORDER BY p.entry_id ROWS UNBOUNDED PRECEDING) AS running"
      " FROM postings p JOIN accounts a ON a.id = p.account_id WHERE a.holder_kind = 'card') r "
      "WHERE balance_after IS NULL OR balance_after <> running ORDER BY account_id, entry_id",
      out, [](const Stmt& s) {
        return Discrepancy{"account", s.Int(0),
                           "entry " + std::to_string(s.Int(1)) + " recorded balance after " +
                               std::to_string(s.Int(2)) + ", the journal gives " +
                               std::to_string(s.Int(3))};
      }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckLots() {
  std::vector<Discrepancy> out;
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT l.id, l.amount, l.remaining, COALESCE(m.total, 0) FROM lots l "
      "LEFT JOIN (SELECT lot_id, sum(delta) AS total FROM lot_moves WHERE lot_id IS NOT NULL "
      "  GROUP BY lot_id) m ON m.lot_id = l.id "
      "WHERE l.remaining <> l.amount + COALESCE(m.total, 0) OR l.remaining < 0 "
      "OR l.remaining > l.amount ORDER BY l.id",
      out, [](const Stmt& s) {
        return Discrepancy{"lot", s.Int(0),
                           Figures({{"amount", s.Int(1)},
                                    {"stored remaining", s.Int(2)},
                                    {"sum of moves since created", s.Int(3)}})};
      }));
  ONECARD_CHECK(Collect(conn_,
                        "SELECT l.id, l.asset, a.asset, a.holder_kind FROM lots l "
                        "JOIN accounts a ON a.id = l.account_id "
                        "WHERE l.asset <> a.asset OR a.holder_kind <> 'card' ORDER BY l.id",
                        out, [](const Stmt& s) {
                          return Discrepancy{"lot", s.Int(0),
                                             "a " + s.Text(1) + " lot on a " + s.Text(3) + " " +
                                                 s.Text(2) + " account"};
                        }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckEntryLotMoves() {
  std::vector<Discrepancy> out;
  // What an entry posts on a card account must be what it moved in lots and debt there, plus
  // the lots it created there.
  ONECARD_CHECK(
      Collect(conn_,
              "WITH moved AS ("
              " SELECT entry_id, account_id, sum(delta) AS total FROM ("
              "  SELECT entry_id, account_id, delta FROM lot_moves"
              "  UNION ALL SELECT entry_id, account_id, amount FROM lots) x"
              " GROUP BY entry_id, account_id) "
              "SELECT p.entry_id, p.account_id, p.amount, COALESCE(m.total, 0) FROM postings p "
              "JOIN accounts a ON a.id = p.account_id AND a.holder_kind = 'card' "
              "LEFT JOIN moved m ON m.entry_id = p.entry_id AND m.account_id = p.account_id "
              "WHERE p.amount <> COALESCE(m.total, 0) "
              "UNION ALL "
              "SELECT m.entry_id, m.account_id, 0, m.total FROM moved m "
              "LEFT JOIN postings p ON p.entry_id = m.entry_id AND p.account_id = m.account_id "
              "WHERE p.entry_id IS NULL AND m.total <> 0 "
              "ORDER BY 1, 2",
              out, [](const Stmt& s) {
                return Discrepancy{"entry", s.Int(0),
                                   "on account " + std::to_string(s.Int(1)) + " posts " +
                                       std::to_string(s.Int(2)) + " but moves lots by " +
                                       std::to_string(s.Int(3))};
              }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckHolds() {
  std::vector<Discrepancy> out;
  // What each hold took from its card, against its amount.
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT h.id, h.amount, -COALESCE(sum(p.amount), 0) FROM holds h "
      "LEFT JOIN postings p ON p.entry_id = h.hold_entry_id "
      "  AND p.account_id IN (SELECT id FROM accounts WHERE holder_kind = 'card') "
      "GROUP BY h.id, h.amount HAVING h.amount <> -COALESCE(sum(p.amount), 0) ORDER BY h.id",
      out, [](const Stmt& s) {
        return Discrepancy{"hold", s.Int(0),
                           Figures({{"amount", s.Int(1)}, {"taken from the card", s.Int(2)}})};
      }));
  // Escrow per tenant and asset against what active holds took.
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT tenant_id, asset, sum(escrow), sum(held) FROM ("
      " SELECT a.tenant_id, a.asset, p.amount AS escrow, 0 AS held FROM accounts a "
      "  JOIN postings p ON p.account_id = a.id WHERE a.role = 'holds' "
      " UNION ALL "
      " SELECT h.tenant_id, p.asset, 0, -p.amount FROM holds h "
      "  JOIN postings p ON p.entry_id = h.hold_entry_id "
      "  JOIN accounts a ON a.id = p.account_id AND a.holder_kind = 'card' "
      "  WHERE h.status = 'active' "
      " UNION ALL "
      " SELECT s.tenant_id, p.asset, 0, -p.amount FROM sales s "
      "  JOIN postings p ON p.entry_id = s.hold_entry_id "
      "  JOIN accounts a ON a.id = p.account_id AND a.holder_kind = 'card' "
      "  WHERE s.status = 'held') x "
      "GROUP BY tenant_id, asset HAVING sum(escrow) <> sum(held) ORDER BY 1, 2",
      out, [](const Stmt& s) {
        return Discrepancy{"hold", 0,
                           "tenant " + std::to_string(s.Int(0)) + " " + s.Text(1) +
                               " escrow holds " + std::to_string(s.Int(2)) +
                               " but active holds and held sales took " + std::to_string(s.Int(3))};
      }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckReturns() {
  std::vector<Discrepancy> out;
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT l.sale_id, l.line_no, l.quantity, l.paid, l.points, sum(r.quantity), sum(r.paid), "
      "sum(r.points) FROM return_lines r JOIN sale_lines l ON l.sale_id = r.sale_id "
      "AND l.line_no = r.line_no GROUP BY l.sale_id, l.line_no "
      "HAVING sum(r.quantity) > l.quantity OR sum(r.paid) > l.paid OR sum(r.points) > l.points "
      "ORDER BY 1, 2",
      out, [](const Stmt& s) {
        return Discrepancy{"sale", s.Int(0),
                           "line " + std::to_string(s.Int(1)) + " returned beyond the sale (" +
                               Figures({{"quantity", s.Int(2)},
                                        {"paid", s.Int(3)},
                                        {"points", s.Int(4)},
                                        {"returned quantity", s.Int(5)},
                                        {"refunded", s.Int(6)},
                                        {"points taken back", s.Int(7)}}) +
                               ")"};
      }));
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT t.sale_id, t.seq, t.amount, t.points, sum(r.amount), sum(r.points) "
      "FROM return_tenders r JOIN sale_tenders t ON t.sale_id = r.sale_id AND t.seq = r.seq "
      "GROUP BY t.sale_id, t.seq HAVING sum(r.amount) > t.amount OR sum(r.points) > t.points "
      "OR sum(r.deducted) > sum(r.amount) ORDER BY 1, 2",
      out, [](const Stmt& s) {
        return Discrepancy{"sale", s.Int(0),
                           "tender " + std::to_string(s.Int(1)) + " refunded beyond the sale (" +
                               Figures({{"amount", s.Int(2)},
                                        {"points", s.Int(3)},
                                        {"refunded", s.Int(4)},
                                        {"points restored", s.Int(5)}}) +
                               ")"};
      }));
  return out;
}

Result<std::vector<Discrepancy>> SqliteTxn::CheckCoupons() {
  std::vector<Discrepancy> out;
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT c.id, c.issued, c.used, c.discount_given, "
      " (SELECT count(*) FROM coupons k WHERE k.campaign_id = c.id), "
      " (SELECT count(*) FROM coupon_redemptions r WHERE r.campaign_id = c.id "
      "  AND r.return_id IS NULL AND r.voided = 0), "
      " (SELECT COALESCE(sum(discount), 0) FROM coupon_redemptions r WHERE r.campaign_id = c.id "
      "  AND r.return_id IS NULL AND r.voided = 0), c.total_limit, c.budget "
      "FROM coupon_campaigns c WHERE c.used <> (SELECT count(*) FROM coupon_redemptions r "
      " WHERE r.campaign_id = c.id AND r.return_id IS NULL AND r.voided = 0) "
      "OR c.discount_given <> (SELECT COALESCE(sum(discount), 0) FROM coupon_redemptions r "
      " WHERE r.campaign_id = c.id AND r.return_id IS NULL AND r.voided = 0) "
      "OR (c.promo_code IS NULL AND c.issued <> (SELECT count(*) FROM coupons k "
      " WHERE k.campaign_id = c.id)) "
      "OR (c.total_limit > 0 AND c.used > c.total_limit) "
      "OR (c.budget > 0 AND c.discount_given > c.budget) ORDER BY 1",
      out, [](const Stmt& s) {
        return Discrepancy{"coupon_campaign", s.Int(0),
                           "counters differ from its coupons and redemptions or exceed its "
                           "limits (" +
                               Figures({{"issued", s.Int(1)},
                                        {"used", s.Int(2)},
                                        {"discount given", s.Int(3)},
                                        {"coupons", s.Int(4)},
                                        {"redemptions", s.Int(5)},
                                        {"redeemed discount", s.Int(6)},
                                        {"total limit", s.Int(7)},
                                        {"budget", s.Int(8)}}) +
                               ")"};
      }));
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT k.id, k.used, (SELECT count(*) FROM coupon_redemptions r WHERE r.coupon_id = k.id "
      " AND r.return_id IS NULL AND r.voided = 0), c.uses_per_coupon FROM coupons k "
      "JOIN coupon_campaigns c ON c.id = k.campaign_id "
      "WHERE k.used <> (SELECT count(*) FROM coupon_redemptions r WHERE r.coupon_id = k.id "
      " AND r.return_id IS NULL AND r.voided = 0) OR (c.uses_per_coupon > 0 AND k.used > "
      "c.uses_per_coupon) "
      "ORDER BY 1",
      out, [](const Stmt& s) {
        return Discrepancy{"coupon", s.Int(0),
                           "uses differ from its redemptions or exceed its limit (" +
                               Figures({{"used", s.Int(1)},
                                        {"redemptions", s.Int(2)},
                                        {"uses per coupon", s.Int(3)}}) +
                               ")"};
      }));
  ONECARD_CHECK(Collect(
      conn_,
      "SELECT c.id, r.member_id, count(*), c.per_member_limit FROM coupon_redemptions r "
      "JOIN coupon_campaigns c ON c.id = r.campaign_id WHERE r.return_id IS NULL AND r.voided = 0 "
      "AND r.member_id IS NOT NULL AND c.per_member_limit > 0 "
      "GROUP BY c.id, r.member_id HAVING count(*) > c.per_member_limit ORDER BY 1, 2",
      out, [](const Stmt& s) {
        return Discrepancy{"coupon_campaign", s.Int(0),
                           "member " + std::to_string(s.Int(1)) + " used it beyond its limit (" +
                               Figures({{"uses", s.Int(2)}, {"per member", s.Int(3)}}) + ")"};
      }));
  return out;
}

Result<ReadTxn::Counts> SqliteTxn::CountLedger() {
  ONECARD_TRY(Stmt st, Prepare("SELECT (SELECT count(*) FROM entries), "
                               "(SELECT count(*) FROM postings), (SELECT count(*) FROM accounts), "
                               "(SELECT count(*) FROM lots)"));
  ONECARD_TRY(bool row, st.Step());
  if (!row) return Counts{};
  return Counts{st.Int(0), st.Int(1), st.Int(2), st.Int(3)};
}

}  // namespace onecard::storage::sqlite
