#pragma once
// Small text utilities: standard library only.

#include <string>
#include <string_view>
#include <vector>

namespace hilo {

// Lower-cases ASCII and folds the Latin-1 accented letters used in Spanish, Portuguese and French
// (á é í ó ú ü ñ ç à è ...) to their base letter, so that "Muñoz", "MUNOZ" and "munoz" compare
// equal. Other UTF-8 sequences pass through unchanged.
std::string FoldForSearch(std::string_view text);

std::string_view Trim(std::string_view text);
std::vector<std::string_view> Split(std::string_view text, char separator);
bool StartsWith(std::string_view text, std::string_view prefix);
// Keeps only the digits of a phone number ("+56 9 1234-5678" -> "56912345678").
std::string DigitsOnly(std::string_view text);
// Whether text is valid UTF-8 (so adapters can refuse bytes the JSON writer would mangle).
bool IsValidUtf8(std::string_view text);

}  // namespace hilo
