#pragma once
// Chilean RUT (Rol Único Tributario): "12.345.678-5" -> "12345678-5".
//
// The check digit is the modulo-11 sum of the body digits weighted 2,3,4,5,6,7,2,3,...
// from the right; 11 -> '0', 10 -> 'K'.

#include <string>
#include <string_view>

#include "hilo/base/error.h"

namespace hilo {

// Accepts dots, spaces, a dash or none, and a lower-case k. Errors: kInvalidArgument with
// field "national_id" when the text is not a RUT or its check digit is wrong.
Result<std::string> NormalizeRut(std::string_view text);

// The check digit ('0'..'9' or 'K') for a RUT body of digits.
char RutCheckDigit(std::string_view body_digits);

}  // namespace hilo
