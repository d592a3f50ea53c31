// Printable codes for cards: a Code 128 barcode or a QR code of the card number, for
// printing on plastic or showing on a phone at the till. Rendered by zint. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onecard::service {

enum class CodeKind : std::uint8_t { kBarcode, kQr };

// Writes the code for `number` to `path`; the format follows the extension: .png, .svg or .eps.
// Errors: kInvalidArgument (another extension), kCardNumberMalformed, kStorageFailure (zint could
// not write the file, with its reason).
core::Status WriteCardCode(std::string_view number, CodeKind kind, const std::string& path);

}  // namespace onecard::service
