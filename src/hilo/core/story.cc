#include "hilo/core/story.h"

#include <algorithm>

#include "hilo/core/authz.h"
#include "hilo/core/cases.h"
#include "hilo/core/catalog.h"

namespace hilo {
namespace {

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// care/ verifies every remote fix from the gateway's next reports: the story lists the verdict
// among what was done ("fixed" / "not fixed; next: ...").
StoryStep VerificationStep(const Event& e) {
  std::string what = e.body.Get("what").AsString();
  if (what.empty()) what = "Verification of " + e.body.Get("finding").AsString();
  std::string result = e.body.Get("result").AsString();
  if (result.empty()) result = e.body.Get("fixed").AsBool() ? "fixed" : "not fixed";
  return StoryStep{e.at, std::move(what), e.actor_name, std::move(result)};
}

}  // namespace

Story BuildStory(const Case& c, const std::vector<Event>& events, Time now, Audience audience) {
  Story s;
  s.case_id = c.id;
  s.subject = c.subject;
  s.status = c.status;
  s.reasks = c.reask_count;
  s.reopened = c.reopen_count;
  s.opened_at = c.opened_at;

  std::vector<Event> visible;
  visible.reserve(events.size());
  for (const auto& e : events)
    if (audience == Audience::kStaff || !e.internal) visible.push_back(e);

  s.facts = CurrentFacts(visible);
  std::vector<Id> people_ids;
  std::vector<Id> fulfilled;
  for (const auto& e : visible)
    if (e.kind == EventKind::kAction && e.body.Get("fulfills").IsInt()) fulfilled.push_back(e.body.Get("fulfills").AsInt());

  for (const auto& e : visible) {
    if (e.actor_id != 0 && IsStaff(e.actor_role) &&
        std::find(people_ids.begin(), people_ids.end(), e.actor_id) == people_ids.end()) {
      people_ids.push_back(e.actor_id);
      s.people_names.push_back(e.actor_name);
    }
    switch (e.kind) {
      case EventKind::kContact: {
        ++s.contacts;
        s.last_contact_at = e.at;
        if (auto ch = ParseChannel(e.body.Get("channel").AsString());
            ch && std::find(s.channels.begin(), s.channels.end(), *ch) == s.channels.end())
          s.channels.push_back(*ch);
        break;
      }
      case EventKind::kAction:
      case EventKind::kRemoteAction:
        s.tried.push_back({e.at, e.body.Get("what").AsString(), e.actor_name, e.body.Get("result").AsString()});
        break;
      case EventKind::kVerification:
        s.tried.push_back(VerificationStep(e));
        break;
      case EventKind::kPromise: {
        bool done = std::find(fulfilled.begin(), fulfilled.end(), e.seq) != fulfilled.end();
        if (!done) {
          Time due = e.body.Get("due").AsInt();
          s.promises.push_back({e.at, due, e.body.Get("text").AsString(), e.actor_name,
                                due < now && IsOpen(c.status)});
        }
        break;
      }
      case EventKind::kDiagnosis:
        s.findings.clear();
        for (const auto& f : e.body.Get("findings").AsArray())
          s.findings.push_back(f.Get(audience == Audience::kStaff ? "agent_text" : "code").AsString());
        break;
      default:
        break;
    }
  }
  s.people = static_cast<int>(people_ids.size());
  return s;
}

std::string RenderStory(const Story& s, Language lang) {
  std::vector<std::string> lines;
  lines.push_back(Text(lang, "story.title", {{"id", std::to_string(s.case_id)}, {"subject", s.subject}}));
  lines.push_back(Text(lang, "story.status", {{"status", CaseStatusText(lang, s.status)}}));
  if (s.facts.what.empty()) {
    lines.push_back(Text(lang, "story.no_symptoms"));
  } else {
    lines.push_back(Text(lang, "story.symptoms", {{"what", s.facts.what}}));
    if (s.facts.since) lines.push_back(Text(lang, "story.since", {{"since", DateText(lang, s.facts.since)}}));
    if (!s.facts.pattern.empty()) lines.push_back(Text(lang, "story.pattern", {{"pattern", s.facts.pattern}}));
    if (!s.facts.devices.empty())
      lines.push_back(Text(lang, "story.devices", {{"devices", Join(s.facts.devices, ", ")}}));
  }
  if (!s.findings.empty()) {
    lines.push_back(Text(lang, "story.findings_header"));
    for (const auto& f : s.findings) lines.push_back("- " + f);
  }
  if (s.tried.empty()) {
    lines.push_back(Text(lang, "story.nothing_tried"));
  } else {
    lines.push_back(Text(lang, "story.tried_header"));
    for (const auto& t : s.tried)
      lines.push_back(Text(lang, "story.tried", {{"when", DateText(lang, t.at)}, {"what", t.what}, {"who", t.who},
                                                 {"result", t.result.empty() ? "" : ": " + t.result}}));
  }
  if (s.promises.empty()) {
    lines.push_back(Text(lang, "story.nothing_pending"));
  } else {
    lines.push_back(Text(lang, "story.pending_header"));
    for (const auto& p : s.promises)
      lines.push_back(Text(lang, "story.promise", {{"text", p.text}, {"due", DateText(lang, p.due)},
                                                   {"overdue", p.overdue ? Text(lang, "story.overdue") : ""}}));
  }
  std::vector<std::string> channels;
  for (auto ch : s.channels) channels.push_back(ChannelText(lang, ch));
  lines.push_back(Text(lang, "story.contacts", {{"n", std::to_string(s.contacts)}, {"channels", Join(channels, ", ")},
                                                {"people", std::to_string(s.people)}}));
  lines.push_back(Text(lang, "story.reasks", {{"n", std::to_string(s.reasks)}}));
  if (s.reopened) lines.push_back(Text(lang, "story.reopened", {{"n", std::to_string(s.reopened)}}));
  return Join(lines, "\n");
}

Value StoryToValue(const Story& s, Language lang) {
  Value v = Value::MakeObject();
  v.Set("text", RenderStory(s, lang));
  v.Set("language", LanguageCode(lang));
  v.Set("status", CaseStatusName(s.status));
  v.Set("status_text", CaseStatusText(lang, s.status));
  v.Set("symptoms", SymptomFactsToBody(s.facts));
  Value tried = Value::MakeArray();
  for (const auto& t : s.tried) {
    Value step = Value::MakeObject();
    step.Set("at", t.at);
    step.Set("what", t.what);
    step.Set("who", t.who);
    step.Set("result", t.result);
    tried.Push(std::move(step));
  }
  v.Set("tried", std::move(tried));
  Value promises = Value::MakeArray();
  for (const auto& p : s.promises) {
    Value item = Value::MakeObject();
    item.Set("text", p.text);
    item.Set("due", p.due);
    item.Set("who", p.who);
    item.Set("overdue", p.overdue);
    promises.Push(std::move(item));
  }
  v.Set("promises", std::move(promises));
  Value findings = Value::MakeArray();
  for (const auto& f : s.findings) findings.Push(f);
  v.Set("findings", std::move(findings));
  v.Set("contacts", s.contacts);
  Value channels = Value::MakeArray();
  for (auto ch : s.channels) channels.Push(ChannelName(ch));
  v.Set("channels", std::move(channels));
  v.Set("people", s.people);
  Value names = Value::MakeArray();
  for (const auto& n : s.people_names) names.Push(n);
  v.Set("people_names", std::move(names));
  v.Set("reasks", s.reasks);
  v.Set("reopened", s.reopened);
  return v;
}

}  // namespace hilo
