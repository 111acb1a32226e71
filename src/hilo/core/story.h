#pragma once
// The story: a deterministic summary of a case, generated from its events, shown first to
// whoever opens the case so that nobody asks the customer to start over.
//
//   Story s = BuildStory(c, events, now);
//   std::string text = RenderStory(s, Language::kEs);        // what an agent or the customer reads
//   Value v = StoryToValue(s, Language::kEn);                 // the same, structured, for the API
//
// The story for a customer leaves out internal events (BuildStory takes the audience).

#include <string>
#include <vector>

#include "hilo/core/model.h"

namespace hilo {

struct StoryStep {
  Time at = 0;
  std::string what;
  std::string who;
  std::string result;
};

struct StoryPromise {
  Time made_at = 0;
  Time due = 0;
  std::string text;
  std::string who;
  bool overdue = false;
};

struct Story {
  Id case_id = 0;
  std::string subject;
  CaseStatus status = CaseStatus::kOpen;
  SymptomFacts facts;
  std::vector<StoryStep> tried;          // everything tried and by whom
  std::vector<StoryPromise> promises;    // every promise made, with due date
  std::vector<std::string> findings;     // current diagnosis findings, agent wording (later issues)
  int contacts = 0;
  std::vector<Channel> channels;         // distinct, in order of first use
  int people = 0;                        // distinct staff who handled the case
  std::vector<std::string> people_names;
  int reasks = 0;
  int reopened = 0;
  Time opened_at = 0;
  Time last_contact_at = 0;
};

enum class Audience { kStaff, kCustomer };

Story BuildStory(const Case& c, const std::vector<Event>& events, Time now, Audience audience);
std::string RenderStory(const Story& story, Language lang);
Value StoryToValue(const Story& story, Language lang);

}  // namespace hilo
