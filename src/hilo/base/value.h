#pragma once
// Value: a small ordered document tree (null, bool, integer, number, string, array, object).
//
// The pure layers (core, diagnosis, telemetry) describe structured payloads -- a timeline
// event's body, a finding's evidence -- as Values without depending on a JSON library.
// Adapters convert Value <-> JSON in one place (hilo/json).
//
//   Value v = Value::MakeObject();
//   v.Set("what", "wifi_drops");
//   v.Set("devices", Value::MakeArray({"laptop-1", "laptop-2"}));
//   std::string_view what = v.Get("what").AsString();
//
// Objects keep insertion order so that output is deterministic.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hilo {

class Value {
 public:
  using Array = std::vector<Value>;
  using Member = std::pair<std::string, Value>;
  using Members = std::vector<Member>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : data_(i) {}
  Value(double d) : data_(d) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}

  static Value MakeObject() { Value v; v.data_ = Members{}; return v; }
  static Value MakeArray(std::initializer_list<Value> items = {}) {
    Value v; v.data_ = std::vector<Value>(items); return v;
  }

  bool IsNull() const { return std::holds_alternative<std::monostate>(data_); }
  bool IsBool() const { return std::holds_alternative<bool>(data_); }
  bool IsInt() const { return std::holds_alternative<std::int64_t>(data_); }
  bool IsDouble() const { return std::holds_alternative<double>(data_); }
  bool IsNumber() const { return IsInt() || IsDouble(); }
  bool IsString() const { return std::holds_alternative<std::string>(data_); }
  bool IsArray() const { return std::holds_alternative<std::vector<Value>>(data_); }
  bool IsObject() const { return std::holds_alternative<Members>(data_); }

  // Accessors return a neutral value (false, 0, "", empty) on a type mismatch, so that readers
  // of stored payloads written by older versions never throw.
  bool AsBool() const { return IsBool() ? std::get<bool>(data_) : false; }
  std::int64_t AsInt() const;
  double AsDouble() const;
  const std::string& AsString() const;
  const std::vector<Value>& AsArray() const;
  const Members& AsObject() const;

  // Object access. Get returns a null Value when the key is absent.
  const Value& Get(std::string_view key) const;
  bool Has(std::string_view key) const;
  Value& Set(std::string key, Value value);  // replaces an existing key; turns null into object

  // Mutable members, in order; turns null into an object.
  Members& MutableObject();

  // Array append; turns null into an array.
  Value& Push(Value value);
  std::vector<Value>& MutableArray();

  bool operator==(const Value& other) const = default;

  using Data = std::variant<std::monostate, bool, std::int64_t, double, std::string,
                            std::vector<Value>, Members>;
  const Data& data() const { return data_; }

 private:
  Data data_;
};

}  // namespace hilo
