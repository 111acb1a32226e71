#include "hilo/http/credentials.h"

#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace hilo::http {
namespace {

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const Argon2Cost& cost) {
  if (password.size() < 8) return Fail(Errc::kInvalidArgument, "a password has at least 8 characters", "password");
  std::array<unsigned char, 16> salt;
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return Fail(Errc::kInternal, "no randomness");
  const std::size_t len = argon2_encodedlen(cost.time_cost, cost.memory_kib, cost.parallelism, salt.size(), 32, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(cost.time_cost, cost.memory_kib, cost.parallelism, password.data(), password.size(),
                                 salt.data(), salt.size(), 32, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Fail(Errc::kInternal, std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.empty()) return false;
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string NewSecretToken() {
  std::array<unsigned char, 32> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw std::runtime_error("no randomness");
  return Hex(bytes.data(), bytes.size());
}

std::string TokenDigest(std::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

}  // namespace hilo::http
