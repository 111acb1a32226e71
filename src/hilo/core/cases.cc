#include "hilo/core/cases.h"

#include <algorithm>

#include "hilo/core/authz.h"

namespace hilo {
namespace {

Status RequireText(const Value& body, std::string_view field) {
  if (!body.Get(field).IsString() || body.Get(field).AsString().empty())
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be a non-empty string", std::string(field));
  if (body.Get(field).AsString().size() > 64 * 1024)
    return Fail(Errc::kTooLarge, "'" + std::string(field) + "' is longer than 64 KiB", std::string(field));
  return Ok();
}

Status ValidateSymptoms(const Value& body) {
  if (!body.IsObject()) return Fail(Errc::kInvalidArgument, "a symptom report is an object", "body");
  HILO_TRY(RequireText(body, "what"));
  if (body.Has("since") && !body.Get("since").IsInt())
    return Fail(Errc::kInvalidArgument, "'since' must be a time", "since");
  if (body.Has("devices")) {
    if (!body.Get("devices").IsArray()) return Fail(Errc::kInvalidArgument, "'devices' must be a list", "devices");
    for (const auto& d : body.Get("devices").AsArray())
      if (!d.IsString()) return Fail(Errc::kInvalidArgument, "'devices' must be a list of names", "devices");
  }
  if (body.Has("pattern") && !body.Get("pattern").IsString())
    return Fail(Errc::kInvalidArgument, "'pattern' must be a string", "pattern");
  return Ok();
}

// Keeps only the fields a kind defines, so stored bodies stay clean.
Value MergeFacts(const SymptomFacts& known, const SymptomFacts& reported) {
  SymptomFacts merged = known;
  if (!reported.what.empty()) merged.what = reported.what;
  if (reported.since != 0) merged.since = reported.since;
  for (const auto& d : reported.devices)
    if (std::find(merged.devices.begin(), merged.devices.end(), d) == merged.devices.end())
      merged.devices.push_back(d);
  if (!reported.pattern.empty()) merged.pattern = reported.pattern;
  if (!reported.details.empty()) merged.details = reported.details;
  return SymptomFactsToBody(merged);
}

bool TransitionAllowed(CaseStatus from, CaseStatus to) {
  if (from == to) return false;
  switch (from) {
    case CaseStatus::kOpen: return true;
    case CaseStatus::kPendingCustomer: return true;
    case CaseStatus::kResolved: return to == CaseStatus::kOpen || to == CaseStatus::kClosed;
    case CaseStatus::kClosed: return to == CaseStatus::kOpen;
  }
  return false;
}

Value StatusBody(CaseStatus from, CaseStatus to, std::string reason) {
  Value body = Value::MakeObject();
  body.Set("from", CaseStatusName(from));
  body.Set("to", CaseStatusName(to));
  if (!reason.empty()) body.Set("reason", std::move(reason));
  return body;
}

}  // namespace

std::string_view ContactOutcomeName(ContactOutcome o) {
  switch (o) {
    case ContactOutcome::kAttached: return "attached";
    case ContactOutcome::kReopened: return "reopened";
    case ContactOutcome::kOpened: return "opened";
  }
  return "opened";
}

Result<Event> AppendToCase(StoreTx& tx, Case& c, EventKind kind, const Actor& actor, bool internal, Value body,
                           Time now) {
  Event e;
  e.case_id = c.id;
  e.seq = c.last_seq + 1;
  e.kind = kind;
  e.at = now;
  e.actor_id = actor.id;
  e.actor_name = actor.name;
  e.actor_role = actor.role;
  e.internal = internal || kind == EventKind::kNote;
  e.body = std::move(body);
  auto id = tx.AppendEvent(e);
  if (!id) return std::unexpected(id.error());
  e.id = *id;
  c.last_seq = e.seq;
  c.updated_at = now;
  if (kind == EventKind::kContact) ++c.contact_count;
  HILO_TRY(tx.UpdateCase(c));
  return e;
}

SymptomFacts CurrentFacts(const std::vector<Event>& events) {
  SymptomFacts facts;
  for (const auto& e : events) {
    if (e.kind != EventKind::kSymptomReport) continue;
    facts = SymptomFactsFromBody(MergeFacts(facts, SymptomFactsFromBody(e.body)));
  }
  return facts;
}

Result<ContactResult> RecordContact(StoreTx& tx, const Actor& actor, const ContactInput& input, Time now,
                                    const CasePolicy& policy) {
  auto customer = tx.GetCustomer(input.customer_id);
  if (!customer) return std::unexpected(customer.error());
  if (input.service_id != 0) {
    auto services = tx.ServicesOf(input.customer_id);
    if (!services) return std::unexpected(services.error());
    bool found = std::any_of(services->begin(), services->end(), [&](const Service& s) { return s.id == input.service_id; });
    if (!found) return Fail(Errc::kInvalidArgument, "the service does not belong to this customer", "service_id");
  }
  if (input.category.empty()) return Fail(Errc::kInvalidArgument, "category is required", "category");

  CaseQuery q;
  q.customer_id = input.customer_id;
  q.limit = 1000;
  auto cases = tx.FindCases(q);
  if (!cases) return std::unexpected(cases.error());

  const Case* open = nullptr;
  const Case* recent = nullptr;
  for (const auto& c : *cases) {
    if (c.service_id != input.service_id || c.category != input.category) continue;
    if (IsOpen(c.status)) {
      if (!open || c.updated_at > open->updated_at) open = &c;
    } else if (c.resolved_at != 0 && now - c.resolved_at <= policy.reopen_window) {
      if (!recent || c.resolved_at > recent->resolved_at) recent = &c;
    }
  }

  ContactResult result;
  Case target;
  if (open) {
    target = *open;
    result.outcome = ContactOutcome::kAttached;
  } else if (recent) {
    target = *recent;
    result.outcome = ContactOutcome::kReopened;
    CaseStatus from = target.status;
    target.status = CaseStatus::kOpen;
    target.resolved_at = 0;
    ++target.reopen_count;
    auto reopened = AppendToCase(tx, target, EventKind::kStatusChange, actor, false,
                                 StatusBody(from, CaseStatus::kOpen, "contact_after_resolution"), now);
    if (!reopened) return std::unexpected(reopened.error());
  } else {
    target.customer_id = input.customer_id;
    target.service_id = input.service_id;
    target.category = input.category;
    target.subject = input.subject.empty() ? input.category : input.subject;
    target.status = CaseStatus::kOpen;
    target.opened_at = now;
    target.updated_at = now;
    auto id = tx.InsertCase(target);
    if (!id) return std::unexpected(id.error());
    target.id = *id;
    result.outcome = ContactOutcome::kOpened;
  }
  result.case_id = target.id;

  Value body = Value::MakeObject();
  body.Set("channel", ChannelName(input.channel));
  if (!input.text.empty()) body.Set("text", input.text);
  body.Set("outcome", ContactOutcomeName(result.outcome));
  auto contact = AppendToCase(tx, target, EventKind::kContact, actor, false, std::move(body), now);
  if (!contact) return std::unexpected(contact.error());

  if (input.symptoms) {
    auto events = tx.EventsOf(target.id);
    if (!events) return std::unexpected(events.error());
    auto report = AppendToCase(tx, target, EventKind::kSymptomReport, actor, false,
                               MergeFacts(CurrentFacts(*events), *input.symptoms), now);
    if (!report) return std::unexpected(report.error());
  }
  return result;
}

Result<Event> AddEvent(StoreTx& tx, const Actor& actor, Id case_id, const EventInput& input, Time now) {
  auto c = tx.GetCase(case_id);
  if (!c) return std::unexpected(c.error());
  Value body = input.body.IsNull() ? Value::MakeObject() : input.body;
  if (!body.IsObject()) return Fail(Errc::kInvalidArgument, "'body' must be an object", "body");

  switch (input.kind) {
    case EventKind::kMessage: {
      HILO_TRY(RequireText(body, "text"));
      Value clean = Value::MakeObject();
      clean.Set("text", body.Get("text"));
      clean.Set("from", actor.role == Role::kCustomer ? "customer" : "staff");
      return AppendToCase(tx, *c, input.kind, actor, input.internal && IsStaff(actor.role), std::move(clean), now);
    }
    case EventKind::kNote: {
      HILO_TRY(RequireText(body, "text"));
      Value clean = Value::MakeObject();
      clean.Set("text", body.Get("text"));
      return AppendToCase(tx, *c, input.kind, actor, true, std::move(clean), now);
    }
    case EventKind::kSymptomReport: {
      HILO_TRY(ValidateSymptoms(body));
      auto events = tx.EventsOf(case_id);
      if (!events) return std::unexpected(events.error());
      // Store the merged picture, so each report reads whole on its own.
      return AppendToCase(tx, *c, input.kind, actor, input.internal,
                          MergeFacts(CurrentFacts(*events), SymptomFactsFromBody(body)), now);
    }
    case EventKind::kReask: {
      const Value& fields = body.Get("fields");
      if (!fields.IsArray() || fields.AsArray().empty())
        return Fail(Errc::kInvalidArgument, "'fields' must list what was asked again", "fields");
      auto events = tx.EventsOf(case_id);
      if (!events) return std::unexpected(events.error());
      auto known = KnownFactNames(CurrentFacts(*events));
      Value asked = Value::MakeArray();
      Value already_known = Value::MakeArray();
      for (const auto& f : fields.AsArray()) {
        if (!f.IsString()) return Fail(Errc::kInvalidArgument, "'fields' must be names", "fields");
        asked.Push(f.AsString());
        if (std::find(known.begin(), known.end(), f.AsString()) != known.end()) already_known.Push(f.AsString());
      }
      // Only asking for something the case already knows is a re-ask; it is what we count.
      if (!already_known.AsArray().empty()) ++c->reask_count;
      Value clean = Value::MakeObject();
      clean.Set("fields", std::move(asked));
      clean.Set("known", std::move(already_known));
      if (body.Get("reason").IsString()) clean.Set("reason", body.Get("reason"));
      return AppendToCase(tx, *c, input.kind, actor, false, std::move(clean), now);
    }
    case EventKind::kPromise: {
      HILO_TRY(RequireText(body, "text"));
      if (!body.Get("due").IsInt() || body.Get("due").AsInt() <= 0)
        return Fail(Errc::kInvalidArgument, "'due' must be a time", "due");
      Value clean = Value::MakeObject();
      clean.Set("text", body.Get("text"));
      clean.Set("due", body.Get("due"));
      return AppendToCase(tx, *c, input.kind, actor, false, std::move(clean), now);
    }
    case EventKind::kAction: {
      HILO_TRY(RequireText(body, "what"));
      Value clean = Value::MakeObject();
      clean.Set("what", body.Get("what"));
      if (body.Get("result").IsString()) clean.Set("result", body.Get("result"));
      if (body.Get("fulfills").IsInt()) clean.Set("fulfills", body.Get("fulfills"));
      return AppendToCase(tx, *c, input.kind, actor, input.internal, std::move(clean), now);
    }
    default:
      return Fail(Errc::kInvalidArgument,
                  "events of kind '" + std::string(EventKindName(input.kind)) + "' are recorded by their own route",
                  "kind");
  }
}

Result<Event> ChangeStatus(StoreTx& tx, const Actor& actor, Id case_id, CaseStatus to, std::string reason, Time now) {
  auto c = tx.GetCase(case_id);
  if (!c) return std::unexpected(c.error());
  CaseStatus from = c->status;
  if (!TransitionAllowed(from, to))
    return Fail(Errc::kFailedPrecondition,
                "a case cannot go from " + std::string(CaseStatusName(from)) + " to " + std::string(CaseStatusName(to)),
                "status");
  c->status = to;
  if (to == CaseStatus::kResolved || to == CaseStatus::kClosed) {
    if (c->resolved_at == 0) c->resolved_at = now;
  } else {
    if (from == CaseStatus::kResolved || from == CaseStatus::kClosed) ++c->reopen_count;
    c->resolved_at = 0;
  }
  return AppendToCase(tx, *c, EventKind::kStatusChange, actor, false, StatusBody(from, to, std::move(reason)), now);
}

Result<Event> AssignCase(StoreTx& tx, const Actor& actor, Id case_id, Id assignee_id, Time now) {
  auto c = tx.GetCase(case_id);
  if (!c) return std::unexpected(c.error());
  auto user = tx.GetUser(assignee_id);
  if (!user) return Fail(Errc::kNotFound, "no such user", "assignee_id");
  if (!IsStaff(user->role)) return Fail(Errc::kInvalidArgument, "cases are assigned to staff", "assignee_id");
  Value body = Value::MakeObject();
  body.Set("from_user", c->assignee_id);
  body.Set("to_user", assignee_id);
  body.Set("to_name", user->display_name);
  c->assignee_id = assignee_id;
  return AppendToCase(tx, *c, EventKind::kAssignment, actor, false, std::move(body), now);
}

Result<Case> SplitCase(StoreTx& tx, const Actor& actor, Id case_id, std::string category, std::string subject,
                       std::string reason, Time now) {
  auto original = tx.GetCase(case_id);
  if (!original) return std::unexpected(original.error());
  if (reason.empty()) return Fail(Errc::kInvalidArgument, "a split needs a reason", "reason");
  if (category.empty()) category = original->category;
  Case fresh;
  fresh.customer_id = original->customer_id;
  fresh.service_id = original->service_id;
  fresh.category = std::move(category);
  fresh.subject = subject.empty() ? fresh.category : std::move(subject);
  fresh.opened_at = now;
  fresh.updated_at = now;
  fresh.split_from = case_id;
  auto id = tx.InsertCase(fresh);
  if (!id) return std::unexpected(id.error());
  fresh.id = *id;

  Value out = Value::MakeObject();
  out.Set("new_case", fresh.id);
  out.Set("reason", reason);
  HILO_TRY(AppendToCase(tx, *original, EventKind::kSplit, actor, false, std::move(out), now));
  Value in = Value::MakeObject();
  in.Set("from_case", case_id);
  in.Set("reason", std::move(reason));
  HILO_TRY(AppendToCase(tx, fresh, EventKind::kSplit, actor, false, std::move(in), now));
  return fresh;
}

}  // namespace hilo
