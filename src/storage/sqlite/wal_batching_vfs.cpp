#include "storage/sqlite/wal_batching_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <string>

namespace onecard::storage::sqlite {
namespace {

constexpr std::size_t kFlushAt = 16 * 1024 * 1024;
// The unix VFS writes at most 128 KiB per call (it masks the length with 0x1ffff), so gathered
// bytes go down in pieces of this size.
constexpr std::size_t kPiece = 64 * 1024;

sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

// Our file: the base VFS's file object follows this header in the same allocation.
struct File {
  sqlite3_file base;    // pMethods = &g_methods (or null if the base open failed)
  sqlite3_file* real;   // points just after this struct
  bool batching;        // a WAL file
  std::string* buffer;  // gathered bytes (owned; null when not batching)
  sqlite3_int64 start;  // file offset of buffer[0]
};

File* Self(sqlite3_file* f) {
  return reinterpret_cast<File*>(f);
}

int Flush(File* f) {
  if (f->buffer == nullptr || f->buffer->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < f->buffer->size() && rc == SQLITE_OK; done += kPiece) {
    const std::size_t n = std::min(kPiece, f->buffer->size() - done);
    rc = f->real->pMethods->xWrite(f->real, f->buffer->data() + done, static_cast<int>(n),
                                   f->start + static_cast<sqlite3_int64>(done));
  }
  f->buffer->clear();
  return rc;
}

int Close(sqlite3_file* file) {
  File* f = Self(file);
  int rc = Flush(f);
  const int closed = f->real->pMethods->xClose(f->real);
  delete f->buffer;
  f->buffer = nullptr;
  return rc != SQLITE_OK ? rc : closed;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  File* f = Self(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File* f = Self(file);
  if (!f->batching) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const auto end = f->start + static_cast<sqlite3_int64>(f->buffer->size());
  if (!f->buffer->empty() && offset != end) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (f->buffer->empty()) f->start = offset;
  f->buffer->append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  if (f->buffer->size() >= kFlushAt) return Flush(f);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = Self(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  File* f = Self(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  File* f = Self(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) {
  return Self(file)->real->pMethods->xLock(Self(file)->real, level);
}
int Unlock(sqlite3_file* file, int level) {
  return Self(file)->real->pMethods->xUnlock(Self(file)->real, level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Self(file)->real->pMethods->xCheckReservedLock(Self(file)->real, out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  File* f = Self(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}
int SectorSize(sqlite3_file* file) {
  return Self(file)->real->pMethods->xSectorSize(Self(file)->real);
}
int DeviceCharacteristics(sqlite3_file* file) {
  return Self(file)->real->pMethods->xDeviceCharacteristics(Self(file)->real);
}
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return Self(file)->real->pMethods->xShmMap(Self(file)->real, region, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Self(file)->real->pMethods->xShmLock(Self(file)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) {
  Self(file)->real->pMethods->xShmBarrier(Self(file)->real);
}
int ShmUnmap(sqlite3_file* file, int remove) {
  return Self(file)->real->pMethods->xShmUnmap(Self(file)->real, remove);
}
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  File* f = Self(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return Self(file)->real->pMethods->xUnfetch(Self(file)->real, offset, p);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = Self(file);
  std::memset(f, 0, sizeof(File));
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || f->real->pMethods == nullptr) {
    f->base.pMethods = nullptr;
    return rc;
  }
  if (f->real->pMethods->iVersion < 3) {  // the unix VFS offers version 3; anything else is odd
    f->real->pMethods->xClose(f->real);
    f->base.pMethods = nullptr;
    return SQLITE_CANTOPEN;
  }
  f->batching = (flags & SQLITE_OPEN_WAL) != 0;
  if (f->batching) f->buffer = new std::string();
  f->base.pMethods = &g_methods;
  return SQLITE_OK;
}

}  // namespace

void RegisterWalBatchingVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    g_vfs = *g_base;
    g_vfs.zName = kWalBatchingVfs;
    g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_base->szOsFile;
    g_vfs.xOpen = Open;
    g_vfs.pNext = nullptr;
    g_methods = sqlite3_io_methods{3,
                                   Close,
                                   Read,
                                   Write,
                                   Truncate,
                                   Sync,
                                   FileSize,
                                   Lock,
                                   Unlock,
                                   CheckReservedLock,
                                   FileControl,
                                   SectorSize,
                                   DeviceCharacteristics,
                                   ShmMap,
                                   ShmLock,
                                   ShmBarrier,
                                   ShmUnmap,
                                   Fetch,
                                   Unfetch};
    sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
  });
}

}  // namespace onecard::storage::sqlite
