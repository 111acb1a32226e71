#include "hilo/cwmp/auth.h"

#include <gtest/gtest.h>

namespace hilo::cwmp {
namespace {

TEST(Base64, KnownVectors) {
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, plain);
  }
  EXPECT_EQ(*Base64Decode("Zm9vYg"), "foob");  // unpadded
  const std::string binary("\x00\xff\x10\x80", 4);
  EXPECT_EQ(*Base64Decode(Base64Encode(binary)), binary);
  EXPECT_FALSE(Base64Decode("Zm9v!"));
  EXPECT_FALSE(Base64Decode("Z"));
}

TEST(Basic, ParsesAndBuilds) {
  // RFC 7617's example: Aladdin / open sesame.
  auto c = ParseBasicAuthorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "Aladdin");
  EXPECT_EQ(c->password, "open sesame");
  EXPECT_EQ(BuildBasicAuthorization("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  auto colon = ParseBasicAuthorization(BuildBasicAuthorization("cpe", "pa:ss"));
  ASSERT_TRUE(colon);
  EXPECT_EQ(colon->password, "pa:ss");
  EXPECT_TRUE(ParseBasicAuthorization("basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
  for (const char* bad : {"Digest abc", "Basic", "Basic !!!", "Basic Zm9v", "BasicQWxh"}) {
    auto r = ParseBasicAuthorization(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  }
}

// RFC 2617 section 3.5: Mufasa / "Circle Of Life" at testrealm@host.com.
constexpr const char* kRfcAuthorization =
    "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
    "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

TEST(Digest, Rfc2617WorkedExample) {
  auto hash = DigestResponseHash("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET",
                                 "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                 "00000001", "0a4f113b", "auth");
  ASSERT_TRUE(hash);
  EXPECT_EQ(*hash, "6629fae49393a05397450978507c4ef1");

  auto r = ParseDigestAuthorization(kRfcAuthorization);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->username, "Mufasa");
  EXPECT_EQ(r->nc, "00000001");
  EXPECT_TRUE(VerifyDigest(*r, "GET", "Circle Of Life"));
  EXPECT_FALSE(VerifyDigest(*r, "GET", "circle of life"));
  EXPECT_FALSE(VerifyDigest(*r, "POST", "Circle Of Life"));
}

TEST(Digest, ClientReproducesTheRfcExample) {
  const std::string challenge =
      "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
  auto header = BuildDigestAuthorization(challenge, "Mufasa", "Circle Of Life", "GET",
                                         "/dir/index.html", "0a4f113b", 1);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_NE(header->find("response=\"6629fae49393a05397450978507c4ef1\""), std::string::npos);
  EXPECT_NE(header->find("qop=auth, nc=00000001"), std::string::npos);
  EXPECT_NE(header->find("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), std::string::npos);
}

TEST(Digest, ChallengeRoundTrip) {
  DigestChallenge c;
  c.realm = "hilo \"ACS\"";
  c.nonce = "n-123";
  c.opaque = "op";
  c.stale = true;
  const std::string header = BuildDigestChallenge(c);
  EXPECT_EQ(header.rfind("Digest realm=", 0), 0u);
  EXPECT_NE(header.find("qop=\"auth\""), std::string::npos);
  EXPECT_NE(header.find("algorithm=MD5"), std::string::npos);
  auto parsed = ParseDigestChallenge(header);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->realm, "hilo \"ACS\"");
  EXPECT_EQ(parsed->nonce, "n-123");
  EXPECT_EQ(parsed->opaque, "op");
  EXPECT_EQ(parsed->qop, "auth");
  EXPECT_TRUE(parsed->stale);

  auto second = ParseDigestChallenge("Basic realm=\"x\", Digest realm=\"y\", nonce=\"z\"");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->realm, "y");
  EXPECT_EQ(second->nonce, "z");
  EXPECT_FALSE(ParseDigestChallenge("Basic realm=\"x\""));
  EXPECT_FALSE(ParseDigestChallenge("Digest realm=\"x\""));  // no nonce
}

// The ACS challenges, the CPE answers, the ACS verifies: with and without qop, MD5 and SHA-256.
TEST(Digest, ServerClientRoundTrips) {
  for (const char* algorithm : {"MD5", "MD5-sess", "SHA-256"}) {
    for (const char* qop : {"auth", ""}) {
      // RFC 2617 defines the -sess variants only together with a cnonce, i.e. with qop.
      if (std::string_view(algorithm).ends_with("-sess") && !*qop) continue;
      DigestChallenge c;
      c.realm = "hilo";
      c.nonce = "MTcwMDAwMDAwMDpmMDBk";
      c.opaque = "abc";
      c.algorithm = algorithm;
      c.qop = qop;
      auto header = BuildDigestAuthorization(BuildDigestChallenge(c), "HL0001", "s3cret", "POST",
                                             "/cwmp", "c0ffee", 7);
      ASSERT_TRUE(header) << algorithm << " " << qop;
      auto r = ParseDigestAuthorization(*header);
      ASSERT_TRUE(r) << *header;
      EXPECT_EQ(r->username, "HL0001");
      EXPECT_EQ(r->uri, "/cwmp");
      EXPECT_EQ(r->nonce, c.nonce);
      EXPECT_EQ(r->qop, qop);
      if (*qop) {
        EXPECT_EQ(r->nc, "00000007");
      }
      EXPECT_TRUE(VerifyDigest(*r, "POST", "s3cret")) << *header;
      EXPECT_FALSE(VerifyDigest(*r, "POST", "s3cret!"));
      DigestResponse tampered = *r;
      tampered.uri = "/other";
      EXPECT_FALSE(VerifyDigest(tampered, "POST", "s3cret"));
    }
  }
}

TEST(Digest, RejectsWhatItCannotCheck) {
  EXPECT_FALSE(ParseDigestAuthorization("Basic abc"));
  EXPECT_FALSE(ParseDigestAuthorization("Digest username=\"a\", realm=\"r\", nonce=\"n\""));
  // qop without cnonce/nc
  EXPECT_FALSE(ParseDigestAuthorization(
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", qop=auth"));
  auto unknown = BuildDigestAuthorization("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
                                          "a", "b", "GET", "/", "c");
  EXPECT_FALSE(unknown);
  auto int_only = BuildDigestAuthorization("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", "a",
                                           "b", "GET", "/", "c");
  EXPECT_FALSE(int_only);
  DigestResponse r;
  r.algorithm = "SHA-512";
  r.response = "00";
  EXPECT_FALSE(VerifyDigest(r, "GET", "x"));
}

}  // namespace
}  // namespace hilo::cwmp
