#pragma once
// Core types <-> JSON-ready Values at the HTTP edge. Times go out as ISO-8601 UTC strings.

#include "hilo/base/error.h"
#include "hilo/base/value.h"
#include "hilo/core/cpe.h"
#include "hilo/core/model.h"

namespace hilo::http {

Value ToValue(const Customer& c);
Value ToValue(const Service& s);
Value ToValue(const Site& s);
Value ToValue(const Device& d);
Value ToValue(const User& u);
Value ToValue(const Case& c);
Value ToValue(const Event& e);
Value ToValue(const Cpe& c);
Value ToValue(const AreaOutage& o);
Value ToValue(const CpeTask& t);

// Field readers for request bodies. Each returns kInvalidArgument naming the field.
Result<std::string> RequiredString(const Value& body, std::string_view field, std::size_t max_len = 4096);
Result<std::string> OptionalString(const Value& body, std::string_view field, std::size_t max_len = 64 * 1024);
Result<Id> RequiredId(const Value& body, std::string_view field);
Result<Id> OptionalId(const Value& body, std::string_view field);
// A time given as an ISO-8601 string or as Unix seconds; 0 when absent.
Result<Time> OptionalTime(const Value& body, std::string_view field);
Result<std::vector<std::string>> OptionalStrings(const Value& body, std::string_view field);

// Customer fields from a request body (validates and normalises the RUT).
Result<Customer> CustomerFromBody(const Value& body);
// Symptom facts; times converted to Unix seconds.
Result<SymptomFacts> SymptomsFromBody(const Value& body);

}  // namespace hilo::http
