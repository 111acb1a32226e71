#include "hilo/core/authz.h"

namespace hilo {

std::string_view ActName(Act act) {
  switch (act) {
    case Act::kSearchCustomers: return "search customers";
    case Act::kCreateCustomer: return "create customers";
    case Act::kReadCustomer: return "read customers";
    case Act::kReadCase: return "read cases";
    case Act::kRecordContact: return "record contacts";
    case Act::kAddMessage: return "add messages";
    case Act::kAddNote: return "add internal notes";
    case Act::kAddStaffEvent: return "add case events";
    case Act::kChangeStatus: return "change case status";
    case Act::kCloseCase: return "close cases";
    case Act::kAssignCase: return "assign cases";
    case Act::kSplitCase: return "split cases";
    case Act::kListUsers: return "list users";
    case Act::kCreateUser: return "create users";
    case Act::kImport: return "import data";
    case Act::kReadDevice: return "read devices";
    case Act::kActOnDevice: return "act on devices";
    case Act::kLinkDevice: return "link devices";
    case Act::kDiagnose: return "run diagnoses";
    case Act::kReportProbes: return "report probe results";
    case Act::kManageOutages: return "declare area outages";
  }
  return "act";
}

bool IsStaff(Role role) { return role != Role::kCustomer; }

bool Allowed(Role role, Act act) {
  const bool staff = IsStaff(role);
  const bool supervisor_or_above = role == Role::kSupervisor || role == Role::kManager || role == Role::kAdmin;
  const bool front_line = role == Role::kAgent || supervisor_or_above;
  switch (act) {
    case Act::kReadCustomer:
    case Act::kReadCase:
    case Act::kRecordContact:
    case Act::kAddMessage:
    case Act::kReportProbes:
      return true;  // customers too, limited to their own records by CanSee*
    case Act::kSearchCustomers:
    case Act::kAddNote:
    case Act::kAddStaffEvent:
    case Act::kReadDevice:
    case Act::kDiagnose:
      return staff;
    case Act::kCreateCustomer:
    case Act::kChangeStatus:
    case Act::kAssignCase:
    case Act::kSplitCase:
    case Act::kActOnDevice:
      return front_line || role == Role::kTechnician;
    case Act::kCloseCase:
    case Act::kListUsers:
    case Act::kManageOutages:
      return supervisor_or_above;
    case Act::kCreateUser:
    case Act::kImport:
    case Act::kLinkDevice:
      return role == Role::kAdmin || role == Role::kManager;
  }
  return false;
}

bool CanSeeCustomer(const User& user, Id customer_id) {
  return IsStaff(user.role) || user.customer_id == customer_id;
}

bool CanSeeCase(const User& user, const Case& c) { return CanSeeCustomer(user, c.customer_id); }

bool CanSeeEvent(const User& user, const Event& e) { return IsStaff(user.role) || !e.internal; }

}  // namespace hilo
