#pragma once
// HTTP authentication for CWMP: Basic and Digest (RFC 7616 / RFC 2617), server and client side.
//
// Pure functions: no clock, no randomness. The caller supplies nonces and cnonces (and decides
// how long a nonce stays valid), so the ACS keeps its own nonce table and tests are exact.
//
//   // ACS, answering an unauthenticated request:
//   std::string www = BuildDigestChallenge({.realm = "hilo", .nonce = n, .opaque = o});
//   // ... on the retry:
//   auto resp = ParseDigestAuthorization(request["Authorization"]);
//   if (resp && KnownNonce(resp->nonce) && VerifyDigest(*resp, "POST", password_of(resp->username)))
//     ...  // authenticated
//
//   // CPE (or the ACS making a connection request), after a 401:
//   auto auth = BuildDigestAuthorization(response["WWW-Authenticate"], "cpe", "secret", "GET",
//                                        "/cr/7f3a", /*cnonce=*/"0a4f113b", /*nc=*/1);
//   if (auth) request.set("Authorization", *auth);
//
// Algorithms: MD5 (the CWMP norm), MD5-sess, SHA-256 and SHA-256-sess, through OpenSSL's EVP.
// qop "auth" and the RFC 2069 form without qop; "auth-int" is not supported.

#include <string>
#include <string_view>

#include "hilo/base/error.h"

namespace hilo::cwmp {

// RFC 4648 base64 with padding.
std::string Base64Encode(std::string_view data);
// Accepts padded or unpadded input; rejects any character outside the alphabet.
// Errors: kInvalidArgument.
Result<std::string> Base64Decode(std::string_view text);

struct BasicCredentials {
  std::string username;
  std::string password;
};

// Parses an Authorization header value "Basic dXNlcjpwYXNz" (scheme case-insensitive).
// Errors: kUnauthenticated when the scheme is not Basic or the payload is not base64 of
// "user:password".
Result<BasicCredentials> ParseBasicAuthorization(std::string_view header_value);
// "Basic dXNlcjpwYXNz".
std::string BuildBasicAuthorization(std::string_view username, std::string_view password);

// A Digest challenge, as sent in WWW-Authenticate.
struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string algorithm = "MD5";
  std::string qop = "auth";  // empty for the RFC 2069 form
  bool stale = false;        // the credentials were right but the nonce expired
};

// The WWW-Authenticate header value:
// Digest realm="hilo", qop="auth", nonce="...", opaque="...", algorithm=MD5
std::string BuildDigestChallenge(const DigestChallenge& challenge);
// Parses a WWW-Authenticate value. When several challenges share one header ("Basic realm=x,
// Digest realm=y"), the Digest one is taken. Errors: kInvalidArgument (no Digest challenge or
// no nonce).
Result<DigestChallenge> ParseDigestChallenge(std::string_view header_value);

// The fields of an "Authorization: Digest ..." header.
struct DigestResponse {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  std::string algorithm;  // empty means MD5
  std::string cnonce;
  std::string opaque;
  std::string qop;
  std::string nc;
};

// Errors: kUnauthenticated when the scheme is not Digest or a required field (username, realm,
// nonce, uri, response; cnonce and nc when qop is present) is missing.
Result<DigestResponse> ParseDigestAuthorization(std::string_view header_value);

// Checks the response hash for this method and password, in constant time. The caller still
// checks that response.nonce is one it issued (and not expired), response.realm is its realm,
// and response.uri matches the request target. Unknown algorithm or qop gives false.
bool VerifyDigest(const DigestResponse& response, std::string_view method,
                  std::string_view password);

// The client side: answers `challenge_header` (a WWW-Authenticate value) with an Authorization
// header value. cnonce should be random per request; nc counts requests with the same nonce.
// Errors: kInvalidArgument when the challenge cannot be parsed or names an unsupported
// algorithm or qop.
Result<std::string> BuildDigestAuthorization(std::string_view challenge_header,
                                             std::string_view username,
                                             std::string_view password, std::string_view method,
                                             std::string_view uri, std::string_view cnonce,
                                             unsigned nc = 1);

// The response hash (lowercase hex), exposed for tests and for servers that store HA1.
// Errors: kInvalidArgument for an unknown algorithm.
Result<std::string> DigestResponseHash(std::string_view algorithm, std::string_view username,
                                       std::string_view realm, std::string_view password,
                                       std::string_view method, std::string_view uri,
                                       std::string_view nonce, std::string_view nc,
                                       std::string_view cnonce, std::string_view qop);

}  // namespace hilo::cwmp
