#include "hilo/core/catalog.h"

#include <cstdio>

namespace hilo {
namespace {

struct Entry {
  std::string_view key;
  std::string_view es;
  std::string_view en;
};

// Keep keys sorted by area; both languages must have every key (catalog_test checks).
constexpr Entry kCatalog[] = {
    {"status.open", "Abierto", "Open"},
    {"status.pending_customer", "Esperando su respuesta", "Waiting for your reply"},
    {"status.resolved", "Resuelto", "Resolved"},
    {"status.closed", "Cerrado", "Closed"},
    {"channel.phone", "teléfono", "phone"},
    {"channel.chat", "chat", "chat"},
    {"channel.email", "correo", "email"},
    {"channel.portal", "portal", "portal"},
    {"channel.field", "visita técnica", "field visit"},
    {"story.title", "Caso #{id}: {subject}", "Case #{id}: {subject}"},
    {"story.status", "Estado: {status}", "Status: {status}"},
    {"story.symptoms", "Problema: {what}", "Problem: {what}"},
    {"story.since", "Desde: {since}", "Since: {since}"},
    {"story.pattern", "Cómo ocurre: {pattern}", "Pattern: {pattern}"},
    {"story.devices", "Equipos afectados: {devices}", "Affected devices: {devices}"},
    {"story.no_symptoms", "Aún no hay un reporte de síntomas.", "No symptom report yet."},
    {"story.tried_header", "Lo que ya se hizo:", "What has been done:"},
    {"story.tried", "- {when}: {what} ({who}){result}", "- {when}: {what} ({who}){result}"},
    {"story.nothing_tried", "Todavía no se ha intentado nada.", "Nothing has been tried yet."},
    {"story.pending_header", "Pendiente:", "Pending:"},
    {"story.promise", "- {text}, comprometido para el {due}{overdue}", "- {text}, promised by {due}{overdue}"},
    {"story.overdue", " (ATRASADO)", " (OVERDUE)"},
    {"story.nothing_pending", "No hay compromisos pendientes.", "No pending commitments."},
    {"story.contacts",
     "{n} contactos ({channels}), atendido por {people} personas",
     "{n} contacts ({channels}), handled by {people} people"},
    {"story.reasks", "Veces que se le volvió a preguntar algo ya sabido: {n}",
     "Times the customer was asked again for something already known: {n}"},
    {"story.reopened", "Reabierto {n} veces", "Reopened {n} times"},
    {"story.findings_header", "Diagnóstico:", "Diagnosis:"},
    {"error.not_found", "No encontramos lo que busca.", "We could not find what you asked for."},
    {"error.permission_denied", "No tiene permiso para hacer esto.", "You are not allowed to do this."},
    {"error.unauthenticated", "Inicie sesión para continuar.", "Please sign in to continue."},
    {"error.invalid_argument", "Revise los datos enviados.", "Please check what you sent."},
    {"error.too_large", "El contenido es demasiado grande.", "The content is too large."},
    {"error.internal", "Tuvimos un problema. Intente de nuevo.", "Something went wrong on our side. Please try again."},
};

const Entry* Find(std::string_view key) {
  for (const auto& e : kCatalog)
    if (e.key == key) return &e;
  return nullptr;
}

}  // namespace

std::string Text(Language lang, std::string_view key, TextArgs args) {
  const Entry* e = Find(key);
  if (!e) return std::string(key);
  std::string_view tmpl = lang == Language::kEn ? e->en : e->es;
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{') {
      auto close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view name = tmpl.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [k, v] : args) {
          if (k == name) {
            out += v;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close;
          continue;
        }
      }
    }
    out.push_back(tmpl[i]);
  }
  return out;
}

std::vector<std::string_view> CatalogKeys(Language lang) {
  std::vector<std::string_view> keys;
  for (const auto& e : kCatalog)
    if (!(lang == Language::kEn ? e.en : e.es).empty()) keys.push_back(e.key);
  return keys;
}

std::string CaseStatusText(Language lang, CaseStatus status) {
  return Text(lang, std::string("status.") + std::string(CaseStatusName(status)));
}

std::string ChannelText(Language lang, Channel channel) {
  return Text(lang, std::string("channel.") + std::string(ChannelName(channel)));
}

std::string DateText(Language lang, Time t) {
  std::string iso = FormatIsoTime(t);  // YYYY-MM-DDTHH:MM:SSZ
  if (lang == Language::kEn) return iso.substr(0, 10) + " " + iso.substr(11, 5);
  return iso.substr(8, 2) + "-" + iso.substr(5, 2) + "-" + iso.substr(0, 4) + " " + iso.substr(11, 5);
}

}  // namespace hilo
