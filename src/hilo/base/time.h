#pragma once
// Time in hilo: seconds since the Unix epoch, UTC. The pure layers never read a clock; callers
// pass "now" in, so tests can simulate four days in a millisecond.

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>

namespace hilo {

using Time = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

constexpr Time kMinute = 60;
constexpr Time kHour = 3600;
constexpr Time kDay = 86400;

// "2026-11-28T14:55:00Z"
std::string FormatIsoTime(Time t);
// Accepts "YYYY-MM-DDTHH:MM:SS" with an optional fraction and "Z" or "+hh:mm"/"-hh:mm",
// and a bare "YYYY-MM-DD" (midnight UTC). Returns nullopt for anything else.
std::optional<Time> ParseIsoTime(std::string_view text);

}  // namespace hilo
