#pragma once
// Message catalogs for customer-facing text, in es-CL and en.
//
//   Text(Language::kEs, "story.contacts", {{"n", "4"}, {"people", "4"}})
//     -> "4 contactos, atendido por 4 personas"
//
// Placeholders are {name}; a missing key returns the key itself so a gap is visible, not blank.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "hilo/core/model.h"

namespace hilo {

using TextArgs = std::initializer_list<std::pair<std::string_view, std::string>>;

std::string Text(Language lang, std::string_view key, TextArgs args = {});

// Every key of the catalog, for the test that checks both languages have all of them.
std::vector<std::string_view> CatalogKeys(Language lang);

// Customer-facing names.
std::string CaseStatusText(Language lang, CaseStatus status);
std::string ChannelText(Language lang, Channel channel);
// "28-11-2026 14:55" (es) / "2026-11-28 14:55" (en), UTC.
std::string DateText(Language lang, Time t);

}  // namespace hilo
