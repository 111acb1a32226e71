#pragma once
// Errors as values.
//
//   Result<Customer> FindCustomer(Id id) {
//     if (id <= 0) return Fail(Errc::kInvalidArgument, "id must be positive", "id");
//     ...
//   }
//   auto c = FindCustomer(7);
//   if (!c) return std::unexpected(c.error());
//
// Every boundary understands the one Errc enum; adapters map it once (HTTP status, SOAP fault).

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace hilo {

enum class Errc {
  kInvalidArgument,    // the caller sent something malformed or out of range
  kNotFound,           // no such object (or not visible to the caller)
  kAlreadyExists,      // uniqueness would be violated
  kUnauthenticated,    // no or bad credentials
  kPermissionDenied,   // authenticated, but the role may not do this
  kFailedPrecondition, // the object is not in a state that allows the act
  kConflict,           // a concurrent change won
  kTooLarge,           // a body or envelope over its limit
  kUnavailable,        // a peer could not be reached; try later
  kInternal,           // a bug or a broken invariant
};

// Stable machine name of a code, used in JSON error bodies ("not_found").
std::string_view ErrcName(Errc code);

struct Error {
  Errc code = Errc::kInternal;
  std::string message;  // for humans; never contains secrets
  std::string field;    // which input field is at fault, when one is
};

template <typename T>
using Result = std::expected<T, Error>;

// Status is a Result without a value.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(Errc code, std::string message, std::string field = {}) {
  return std::unexpected<Error>(Error{code, std::move(message), std::move(field)});
}

inline Status Ok() { return {}; }

// Drops the value of a Result, keeping its error (GCC 12's std::expected lacks transform()).
template <typename T>
Status AsStatus(const Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace hilo

// HILO_TRY(expr): evaluates a Result/Status and returns its error from the enclosing function.
#define HILO_TRY(expr)                                                  \
  do {                                                                  \
    auto&& hilo_try_result_ = (expr);                                   \
    if (!hilo_try_result_) return std::unexpected(hilo_try_result_.error()); \
  } while (false)
