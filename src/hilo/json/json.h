#pragma once
// JSON <-> Value, the one place that knows Boost.JSON (so only this module's .cc pays for it).
//
//   auto v = ParseJson(R"({"name": "Ana"})");       // Result<Value>
//   if (!v) return v.error();                        // kInvalidArgument, message names the spot
//   std::string text = ToJson(*v);

#include <cstddef>
#include <string>
#include <string_view>

#include "hilo/base/error.h"
#include "hilo/base/value.h"

namespace hilo {

// Parses one JSON document. Errors: kInvalidArgument (malformed, or nested deeper than max_depth),
// kTooLarge (text longer than max_bytes).
Result<Value> ParseJson(std::string_view text, std::size_t max_bytes = 1 << 20, int max_depth = 64);

// Serialises compactly. Doubles that are whole numbers keep a ".0"-free form when integral.
std::string ToJson(const Value& value);
// Appends to out (avoids a copy on hot paths).
void AppendJson(const Value& value, std::string& out);

}  // namespace hilo
