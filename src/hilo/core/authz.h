#pragma once
// Authorization in one place: which role may do which act, and what a user may see.
//
//   if (!Allowed(user.role, Act::kAssignCase)) return Fail(Errc::kPermissionDenied, ...);
//   if (!CanSeeCase(user, c)) return Fail(Errc::kNotFound, ...);  // do not reveal it exists

#include <string_view>

#include "hilo/core/model.h"

namespace hilo {

enum class Act {
  kSearchCustomers,
  kCreateCustomer,
  kReadCustomer,   // a customer may read only themselves (CanSeeCustomer)
  kReadCase,       // a customer may read only their own cases (CanSeeCase)
  kRecordContact,  // a new contact that opens or attaches to a case
  kAddMessage,
  kAddNote,        // internal note
  kAddStaffEvent,  // symptom report, re-ask, promise, action
  kChangeStatus,
  kCloseCase,      // the final status: supervisors and above
  kAssignCase,
  kSplitCase,
  kListUsers,
  kCreateUser,
  kImport,
  kReadDevice,
  kActOnDevice,    // remote actions through the ACS
  kLinkDevice,
  kDiagnose,       // run a diagnosis on a case
  kReportProbes,   // send active-probe results (a customer's own probe, or staff's)
  kManageOutages,  // declare area outages: supervisors and above
};

std::string_view ActName(Act act);
bool Allowed(Role role, Act act);
bool IsStaff(Role role);

bool CanSeeCustomer(const User& user, Id customer_id);
bool CanSeeCase(const User& user, const Case& c);
// Internal notes and internal events are for staff only.
bool CanSeeEvent(const User& user, const Event& e);

}  // namespace hilo
