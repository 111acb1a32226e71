#include "hilo/json/json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdio>

namespace hilo {
namespace {

Value FromBoost(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return Value();
    case boost::json::kind::bool_: return Value(v.get_bool());
    case boost::json::kind::int64: return Value(static_cast<std::int64_t>(v.get_int64()));
    case boost::json::kind::uint64: {
      auto u = v.get_uint64();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return Value(static_cast<std::int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case boost::json::kind::double_: return Value(v.get_double());
    case boost::json::kind::string: return Value(std::string_view(v.get_string()));
    case boost::json::kind::array: {
      Value out = Value::MakeArray();
      auto& items = out.MutableArray();
      items.reserve(v.get_array().size());
      for (const auto& item : v.get_array()) items.push_back(FromBoost(item));
      return out;
    }
    case boost::json::kind::object: {
      Value out = Value::MakeObject();
      for (const auto& kv : v.get_object()) out.Set(std::string(kv.key()), FromBoost(kv.value()));
      return out;
    }
  }
  return Value();
}

void AppendEscaped(std::string_view s, std::string& out) {
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

Result<Value> ParseJson(std::string_view text, std::size_t max_bytes, int max_depth) {
  if (text.size() > max_bytes) return Fail(Errc::kTooLarge, "JSON body is larger than the limit");
  boost::json::parse_options options;
  options.max_depth = static_cast<std::size_t>(max_depth);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec, {}, options);
  if (ec) return Fail(Errc::kInvalidArgument, "malformed JSON: " + ec.message());
  return FromBoost(parsed);
}

void AppendJson(const Value& value, std::string& out) {
  struct Visitor {
    std::string& out;
    void operator()(std::monostate) { out += "null"; }
    void operator()(bool b) { out += b ? "true" : "false"; }
    void operator()(std::int64_t i) { out += std::to_string(i); }
    void operator()(double d) {
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.15g", d);
      out += buf;
    }
    void operator()(const std::string& s) { AppendEscaped(s, out); }
    void operator()(const std::vector<Value>& items) {
      out.push_back('[');
      bool first = true;
      for (const auto& item : items) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(item, out);
      }
      out.push_back(']');
    }
    void operator()(const Value::Members& members) {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : members) {
        if (!first) out.push_back(',');
        first = false;
        AppendEscaped(k, out);
        out.push_back(':');
        AppendJson(v, out);
      }
      out.push_back('}');
    }
  };
  std::visit(Visitor{out}, value.data());
}

std::string ToJson(const Value& value) {
  std::string out;
  AppendJson(value, out);
  return out;
}

}  // namespace hilo
