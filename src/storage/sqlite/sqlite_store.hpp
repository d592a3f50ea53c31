// The SQLite backend: one file, WAL journal, one writer connection and a pool of readers.
//
// Opening runs the numbered, forward-only migrations compiled into the binary and records each
// in `schema_migrations`. A database written by a newer onecard (a migration this binary does not
// know) is refused with kDatabaseTooNew; a file that is not SQLite, or is damaged, with
// kDatabaseCorrupt; an SQLite file of another program (another application_id) with
// kDatabaseForeign. Thread-safe: BeginWrite serialises writers; readers each get a connection.
#pragma once

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace onecard::storage::sqlite {

// The SQLite application_id that marks a OneCard database ("ONEC").
inline constexpr std::int32_t kApplicationId = 0x4F4E4543;

struct Options {
  OpenMode mode = OpenMode::kExisting;
  Durability durability = Durability::kFull;
  // WAL size, in pages, past which the WAL is copied into the database file (off the writer's
  // path; see Checkpointer in sqlite_store.cpp). Tests lower it.
  int checkpoint_pages = 10000;
};

Result<std::unique_ptr<Store>> OpenStore(const std::string& path, const Options& options);

// The highest migration this binary knows.
int LatestSchemaVersion();

}  // namespace onecard::storage::sqlite
