#pragma once
// Passwords and secrets.
//
// Passwords are hashed with argon2id, and only checked at login. Sessions and API tokens are
// 256-bit random secrets; the store keeps only their SHA-256 digest, and each request checks a
// token with one digest and a cache lookup, so authentication never caps throughput.

#include <string>
#include <string_view>

#include "hilo/base/error.h"

namespace hilo::http {

struct Argon2Cost {
  unsigned time_cost = 2;
  unsigned memory_kib = 19 * 1024;  // OWASP's argon2id minimum
  unsigned parallelism = 1;
};

Result<std::string> HashPassword(std::string_view password, const Argon2Cost& cost = {});
bool VerifyPassword(std::string_view password, const std::string& encoded_hash);

// 64 hex characters from the OS's CSPRNG.
std::string NewSecretToken();
// Hex SHA-256 of a token: what the store keeps.
std::string TokenDigest(std::string_view token);

}  // namespace hilo::http
