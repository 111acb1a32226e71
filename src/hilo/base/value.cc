#include "hilo/base/value.h"

namespace hilo {
namespace {
const Value kNull;
const std::string kEmptyString;
const std::vector<Value> kEmptyArray;
const Value::Members kEmptyMembers;
}  // namespace

std::int64_t Value::AsInt() const {
  if (IsInt()) return std::get<std::int64_t>(data_);
  if (IsDouble()) return static_cast<std::int64_t>(std::get<double>(data_));
  return 0;
}

double Value::AsDouble() const {
  if (IsDouble()) return std::get<double>(data_);
  if (IsInt()) return static_cast<double>(std::get<std::int64_t>(data_));
  return 0.0;
}

const std::string& Value::AsString() const {
  return IsString() ? std::get<std::string>(data_) : kEmptyString;
}

const std::vector<Value>& Value::AsArray() const {
  return IsArray() ? std::get<std::vector<Value>>(data_) : kEmptyArray;
}

const Value::Members& Value::AsObject() const {
  return IsObject() ? std::get<Members>(data_) : kEmptyMembers;
}

const Value& Value::Get(std::string_view key) const {
  for (const auto& [k, v] : AsObject()) {
    if (k == key) return v;
  }
  return kNull;
}

bool Value::Has(std::string_view key) const {
  for (const auto& [k, v] : AsObject()) {
    if (k == key) return true;
  }
  return false;
}

Value& Value::Set(std::string key, Value value) {
  if (!IsObject()) data_ = Members{};
  auto& members = std::get<Members>(data_);
  for (auto& [k, v] : members) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  members.emplace_back(std::move(key), std::move(value));
  return members.back().second;
}

Value::Members& Value::MutableObject() {
  if (!IsObject()) data_ = Members{};
  return std::get<Members>(data_);
}

Value& Value::Push(Value value) {
  return MutableArray().emplace_back(std::move(value));
}

std::vector<Value>& Value::MutableArray() {
  if (!IsArray()) data_ = std::vector<Value>{};
  return std::get<std::vector<Value>>(data_);
}

}  // namespace hilo
