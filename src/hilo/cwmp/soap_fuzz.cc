// libFuzzer target for the CWMP SOAP parser (ParseEnvelope), the codec's untrusted input.
//
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-19
//   cmake --build build-fuzz --target hilo_cwmp_soap_fuzz
//   build-fuzz/src/hilo/cwmp/hilo_cwmp_soap_fuzz -max_total_time=60 tests/cwmp/data
//
// Beyond "no crash": whatever parses must write back to XML that parses again to the same
// method and cwmp:ID, and every refusal must be one of the two documented error codes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hilo/cwmp/soap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hilo::cwmp;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto env = ParseEnvelope(input, ParseOptions{.max_bytes = 64 * 1024});
  if (!env) {
    if (env.error().code != hilo::Errc::kInvalidArgument && env.error().code != hilo::Errc::kTooLarge)
      std::abort();
    return 0;
  }
  if (env->empty()) return 0;
  auto again = ParseEnvelope(WriteEnvelope(*env), ParseOptions{.max_bytes = 64 << 20});
  if (!again || again->id != env->id || !again->body ||
      MethodName(*again->body) != MethodName(*env->body)) {
    std::abort();
  }
  return 0;
}
