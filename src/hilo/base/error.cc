#include "hilo/base/error.h"

namespace hilo {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kNotFound: return "not_found";
    case Errc::kAlreadyExists: return "already_exists";
    case Errc::kUnauthenticated: return "unauthenticated";
    case Errc::kPermissionDenied: return "permission_denied";
    case Errc::kFailedPrecondition: return "failed_precondition";
    case Errc::kConflict: return "conflict";
    case Errc::kTooLarge: return "too_large";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace hilo
