#include "service/card_code.hpp"

#include <zint.h>

#include <cstring>
#include <memory>

#include "core/card.hpp"

namespace onecard::service {

core::Status WriteCardCode(std::string_view number, CodeKind kind, const std::string& path) {
  ONECARD_CHECK(core::ValidateCardNumber(number, "card"));
  const std::size_t dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot);
  if (ext != ".png" && ext != ".svg" && ext != ".eps") {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "\"" + path + "\": write the code to a .png, .svg or .eps file", "out");
  }
  if (path.size() >= sizeof(zint_symbol{}.outfile)) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "the output path is too long", "out");
  }
  std::unique_ptr<zint_symbol, void (*)(zint_symbol*)> symbol(ZBarcode_Create(), ZBarcode_Delete);
  if (!symbol) return core::MakeError(core::ErrorCode::kInternal, "zint could not start");
  symbol->symbology = kind == CodeKind::kQr ? BARCODE_QRCODE : BARCODE_CODE128;
  symbol->scale = kind == CodeKind::kQr ? 4.0f : 2.0f;
  symbol->whitespace_width = 4;
  std::memcpy(symbol->outfile, path.c_str(), path.size() + 1);
  const int rc =
      ZBarcode_Encode_and_Print(symbol.get(), reinterpret_cast<const unsigned char*>(number.data()),
                                static_cast<int>(number.size()), 0);
  if (rc >= ZINT_ERROR) {
    return core::MakeError(core::ErrorCode::kStorageFailure,
                           "could not write " + path + ": " + symbol->errtxt, "out");
  }
  return {};
}

}  // namespace onecard::service
