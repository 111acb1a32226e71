#include "hilo/core/rut.h"

namespace hilo {

char RutCheckDigit(std::string_view body) {
  int sum = 0;
  int weight = 2;
  for (auto it = body.rbegin(); it != body.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = weight == 7 ? 2 : weight + 1;
  }
  int dv = 11 - sum % 11;
  if (dv == 11) return '0';
  if (dv == 10) return 'K';
  return static_cast<char>('0' + dv);
}

Result<std::string> NormalizeRut(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c == '.' || c == ' ' || c == '-') continue;
    if (c == 'k') c = 'K';
    if (!((c >= '0' && c <= '9') || c == 'K')) return Fail(Errc::kInvalidArgument, "a RUT has only digits and a check digit", "national_id");
    compact.push_back(c);
  }
  if (compact.size() < 2 || compact.size() > 9) return Fail(Errc::kInvalidArgument, "a RUT has 7 or 8 digits and a check digit", "national_id");
  std::string body = compact.substr(0, compact.size() - 1);
  char dv = compact.back();
  if (body.find('K') != std::string::npos) return Fail(Errc::kInvalidArgument, "only the check digit may be K", "national_id");
  while (body.size() > 1 && body[0] == '0') body.erase(0, 1);
  if (RutCheckDigit(body) != dv) return Fail(Errc::kInvalidArgument, "the RUT check digit does not match", "national_id");
  return body + "-" + dv;
}

}  // namespace hilo
