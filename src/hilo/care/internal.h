#pragma once
// Helpers shared by the care/ translation units. Not part of the module's API.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/care/care.h"

namespace hilo::care::internal {

Actor SystemActor(const CareOptions& options);

std::vector<std::string> Codes(const std::vector<diagnosis::Finding>& findings);
const diagnosis::Finding* FindCode(const std::vector<diagnosis::Finding>& findings, std::string_view code);

// The first dispatch_technician action among the findings: {reason, finding}.
std::optional<std::pair<std::string, std::string>> DispatchOf(const std::vector<diagnosis::Finding>& findings);

// Appends a kDiagnosis event for already computed findings.
Result<Event> AppendDiagnosis(StoreTx& tx, Case& c, const Actor& actor, const GatheredInput& g,
                              const std::vector<diagnosis::Finding>& findings, std::string_view trigger, Time now);

// Finding codes of the newest kDiagnosis event of a timeline; nullopt when there is none.
std::optional<std::vector<std::string>> LastDiagnosisCodes(const std::vector<Event>& events);

// "fw-4.1.9.bin" / "http://x/fw-4.1.9.bin" -> "4.1.9"; "" when no version is in the name.
std::string VersionFromFileName(std::string_view name);

}  // namespace hilo::care::internal
