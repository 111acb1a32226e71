#include "hilo/cwmp/auth.h"

#include <array>
#include <cstdio>
#include <map>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace hilo::cwmp {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "Scheme rest" and checks the scheme.
std::optional<std::string_view> AfterScheme(std::string_view header, std::string_view scheme) {
  header = TrimSpaces(header);
  if (header.size() < scheme.size() || !EqualsIgnoreCase(header.substr(0, scheme.size()), scheme))
    return std::nullopt;
  std::string_view rest = header.substr(scheme.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') return std::nullopt;
  return TrimSpaces(rest);
}

// Parses RFC 7235 auth-params: key=token or key="quoted \" string", comma separated. Keys are
// lower-cased. Stops (returning what it has) at a token that is not followed by '=', which is
// where the next challenge's scheme starts.
std::map<std::string, std::string> ParseAuthParams(std::string_view s) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
  };
  while (true) {
    skip();
    if (i >= s.size()) break;
    const std::size_t key_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != ',' && s[i] != '\t') ++i;
    std::string key;
    for (char c : s.substr(key_start, i - key_start)) key += Lower(c);
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size() || s[i] != '=') break;
    ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i++];
      }
      if (i < s.size()) ++i;  // closing quote
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') value += s[i++];
    }
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

std::string Quote(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

const EVP_MD* DigestFor(std::string_view algorithm, bool& sess) {
  sess = false;
  std::string_view base = algorithm;
  if (base.size() > 5 && EqualsIgnoreCase(base.substr(base.size() - 5), "-sess")) {
    sess = true;
    base.remove_suffix(5);
  }
  if (base.empty() || EqualsIgnoreCase(base, "MD5")) return EVP_md5();
  if (EqualsIgnoreCase(base, "SHA-256")) return EVP_sha256();
  return nullptr;
}

std::string HexHash(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) out += ':';
    out += p;
    first = false;
  }
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return Fail(Errc::kInvalidArgument, "base64 text has a bad length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Base64Value(c);
    if (v < 0) return Fail(Errc::kInvalidArgument, "base64 text has a character outside the alphabet");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

Result<BasicCredentials> ParseBasicAuthorization(std::string_view header_value) {
  const auto payload = AfterScheme(header_value, "Basic");
  if (!payload) return Fail(Errc::kUnauthenticated, "Authorization is not Basic");
  auto decoded = Base64Decode(*payload);
  if (!decoded) return Fail(Errc::kUnauthenticated, "Basic credentials are not base64");
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) {
    return Fail(Errc::kUnauthenticated, "Basic credentials lack the ':' separator");
  }
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::string BuildBasicAuthorization(std::string_view username, std::string_view password) {
  return "Basic " + Base64Encode(Join({username, password}));
}

std::string BuildDigestChallenge(const DigestChallenge& c) {
  std::string out = "Digest realm=" + Quote(c.realm);
  if (!c.qop.empty()) out += ", qop=" + Quote(c.qop);
  out += ", nonce=" + Quote(c.nonce);
  if (!c.opaque.empty()) out += ", opaque=" + Quote(c.opaque);
  if (!c.algorithm.empty()) out += ", algorithm=" + c.algorithm;
  if (c.stale) out += ", stale=true";
  return out;
}

Result<DigestChallenge> ParseDigestChallenge(std::string_view header_value) {
  // Find the "Digest" scheme token, which may follow another challenge.
  std::size_t pos = 0;
  std::optional<std::string_view> params;
  while (pos < header_value.size()) {
    params = AfterScheme(header_value.substr(pos), "Digest");
    if (params) break;
    const auto next = header_value.find_first_of(" ,\t", pos);
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  if (!params) return Fail(Errc::kInvalidArgument, "no Digest challenge in WWW-Authenticate");
  auto kv = ParseAuthParams(*params);
  if (kv["nonce"].empty()) return Fail(Errc::kInvalidArgument, "Digest challenge has no nonce");
  DigestChallenge c;
  c.realm = kv["realm"];
  c.nonce = kv["nonce"];
  c.opaque = kv["opaque"];
  c.algorithm = kv.contains("algorithm") ? kv["algorithm"] : "MD5";
  c.qop = kv["qop"];
  c.stale = EqualsIgnoreCase(kv["stale"], "true");
  return c;
}

Result<DigestResponse> ParseDigestAuthorization(std::string_view header_value) {
  const auto params = AfterScheme(header_value, "Digest");
  if (!params) return Fail(Errc::kUnauthenticated, "Authorization is not Digest");
  auto kv = ParseAuthParams(*params);
  DigestResponse r;
  r.username = kv["username"];
  r.realm = kv["realm"];
  r.nonce = kv["nonce"];
  r.uri = kv["uri"];
  r.response = kv["response"];
  r.algorithm = kv["algorithm"];
  r.cnonce = kv["cnonce"];
  r.opaque = kv["opaque"];
  r.qop = kv["qop"];
  r.nc = kv["nc"];
  if (!kv.contains("username") || r.nonce.empty() || r.uri.empty() || r.response.empty() ||
      !kv.contains("realm")) {
    return Fail(Errc::kUnauthenticated, "Digest authorization lacks a required field");
  }
  if (!r.qop.empty() && (r.cnonce.empty() || r.nc.empty())) {
    return Fail(Errc::kUnauthenticated, "Digest authorization with qop lacks cnonce or nc");
  }
  return r;
}

Result<std::string> DigestResponseHash(std::string_view algorithm, std::string_view username,
                                       std::string_view realm, std::string_view password,
                                       std::string_view method, std::string_view uri,
                                       std::string_view nonce, std::string_view nc,
                                       std::string_view cnonce, std::string_view qop) {
  bool sess = false;
  const EVP_MD* md = DigestFor(algorithm, sess);
  if (md == nullptr) {
    return Fail(Errc::kInvalidArgument, "unsupported Digest algorithm " + std::string(algorithm));
  }
  if (!qop.empty() && !EqualsIgnoreCase(qop, "auth")) {
    return Fail(Errc::kInvalidArgument, "unsupported Digest qop " + std::string(qop));
  }
  std::string ha1 = HexHash(md, Join({username, realm, password}));
  if (sess) ha1 = HexHash(md, Join({ha1, nonce, cnonce}));
  const std::string ha2 = HexHash(md, Join({method, uri}));
  if (qop.empty()) return HexHash(md, Join({ha1, nonce, ha2}));
  return HexHash(md, Join({ha1, nonce, nc, cnonce, qop, ha2}));
}

bool VerifyDigest(const DigestResponse& r, std::string_view method, std::string_view password) {
  auto expected = DigestResponseHash(r.algorithm, r.username, r.realm, password, method, r.uri,
                                     r.nonce, r.nc, r.cnonce, r.qop);
  if (!expected || expected->size() != r.response.size()) return false;
  std::string given;
  for (char c : r.response) given += Lower(c);
  return CRYPTO_memcmp(expected->data(), given.data(), given.size()) == 0;
}

Result<std::string> BuildDigestAuthorization(std::string_view challenge_header,
                                             std::string_view username,
                                             std::string_view password, std::string_view method,
                                             std::string_view uri, std::string_view cnonce,
                                             unsigned nc) {
  auto c = ParseDigestChallenge(challenge_header);
  if (!c) return std::unexpected(c.error());
  // A server may offer "auth,auth-int"; pick auth. One offering only auth-int is refused.
  std::string qop;
  if (!c->qop.empty()) {
    const std::string_view options = c->qop;
    std::size_t start = 0;
    while (true) {
      const auto comma = options.find(',', start);
      if (EqualsIgnoreCase(TrimSpaces(options.substr(start, comma - start)), "auth")) qop = "auth";
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (qop.empty()) return Fail(Errc::kInvalidArgument, "Digest challenge offers no qop=auth");
  }
  char nc_text[9];
  std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
  auto hash = DigestResponseHash(c->algorithm, username, c->realm, password, method, uri,
                                 c->nonce, nc_text, cnonce, qop);
  if (!hash) return std::unexpected(hash.error());
  std::string out = "Digest username=" + Quote(username) + ", realm=" + Quote(c->realm) +
                    ", nonce=" + Quote(c->nonce) + ", uri=" + Quote(uri);
  if (!c->algorithm.empty()) out += ", algorithm=" + c->algorithm;
  out += ", response=" + Quote(*hash);
  if (!c->opaque.empty()) out += ", opaque=" + Quote(c->opaque);
  if (!qop.empty()) {
    out += ", qop=" + qop + ", nc=" + nc_text + ", cnonce=" + Quote(cnonce);
  }
  return out;
}

}  // namespace hilo::cwmp
