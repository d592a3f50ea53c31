// A SQLite VFS that writes a commit's WAL frames with a few large system calls.
//
// SQLite writes each WAL frame as two pwrite calls (a 24-byte header, then the page), so a group
// commit of a few hundred pages costs a few hundred system calls before its fsync. This VFS
// forwards everything to SQLite's default VFS, except that sequential writes to a WAL file are
// gathered in memory and written in 64 KiB pieces when SQLite syncs the file — at every commit
// under synchronous=FULL — or earlier, before anything else touches the file (a read, a size query,
// a truncate, a non-sequential write, closing it) or when 16 MiB are gathered.
//
// Safe only for connections with synchronous=FULL (or EXTRA): with NORMAL, SQLite commits without
// syncing the WAL, and other connections could read frames still held here. The store opens its
// writer with this VFS only when durability is full.
//
// Thread safety: SQLite serialises access to each file handle; the VFS keeps no shared state.
#pragma once

namespace onecard::storage::sqlite {

inline constexpr const char* kWalBatchingVfs = "onecard-wal-batching";

// Registers the VFS (once per process; later calls do nothing). It is not made the default.
void RegisterWalBatchingVfs();

}  // namespace onecard::storage::sqlite
