#pragma once
// The case rules: never explain twice.
//
// Every function runs inside a StoreTx (so a rule and its effects commit together) and takes
// "now" from the caller. Typical use from an adapter:
//
//   store.Write([&](StoreTx& tx) -> Status {
//     auto r = RecordContact(tx, actor, input, now, policy);
//     if (!r) return std::unexpected(r.error());
//     outcome = *r;
//     return Ok();
//   }, done);

#include <string>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/core/model.h"
#include "hilo/core/store.h"

namespace hilo {

struct CasePolicy {
  Time reopen_window = 30 * kDay;  // a contact within this time after resolution reopens
};

// Who is acting. Kept on every event they write.
struct Actor {
  Id id = 0;
  std::string name;
  Role role = Role::kAgent;
  Id customer_id = 0;
  static Actor From(const User& u) { return Actor{u.id, u.display_name, u.role, u.customer_id}; }
};

struct ContactInput {
  Id customer_id = 0;
  Id service_id = 0;
  std::string category = "connectivity";
  Channel channel = Channel::kPhone;
  std::string subject;
  std::string text;                       // what the customer said, if anything
  std::optional<SymptomFacts> symptoms;   // a structured report, if taken during the contact
};

enum class ContactOutcome { kAttached, kReopened, kOpened };
std::string_view ContactOutcomeName(ContactOutcome outcome);

struct ContactResult {
  Id case_id = 0;
  ContactOutcome outcome = ContactOutcome::kOpened;
};

// Records a contact: attaches to the customer's open case for the same service and category;
// else reopens one resolved within the policy window; else opens a new case.
// Errors: kNotFound (customer or service unknown), kInvalidArgument (service of another customer).
Result<ContactResult> RecordContact(StoreTx& tx, const Actor& actor, const ContactInput& input, Time now,
                                    const CasePolicy& policy);

// A new event from an actor through the generic route (message, note, symptom_report, reask,
// promise, action). Validates the body for the kind. Notes are always internal.
struct EventInput {
  EventKind kind = EventKind::kMessage;
  bool internal = false;
  Value body;
};
Result<Event> AddEvent(StoreTx& tx, const Actor& actor, Id case_id, const EventInput& input, Time now);

// Status change with its reason. Errors: kFailedPrecondition for a transition that is not allowed.
Result<Event> ChangeStatus(StoreTx& tx, const Actor& actor, Id case_id, CaseStatus to, std::string reason, Time now);

// Errors: kNotFound (unknown user), kInvalidArgument (assignee is a customer).
Result<Event> AssignCase(StoreTx& tx, const Actor& actor, Id case_id, Id assignee_id, Time now);

// Splitting is explicit and logged on both cases. Returns the new case.
Result<Case> SplitCase(StoreTx& tx, const Actor& actor, Id case_id, std::string category, std::string subject,
                       std::string reason, Time now);

// Appends one event to a case and updates its cached state; the primitive every rule uses.
// Later modules (diagnosis, remote actions) append their own kinds through it.
Result<Event> AppendToCase(StoreTx& tx, Case& c, EventKind kind, const Actor& actor, bool internal, Value body,
                           Time now);

// The symptom facts a case knows, folded from its symptom reports (later reports win per field).
SymptomFacts CurrentFacts(const std::vector<Event>& events);

}  // namespace hilo
