#include "scanner/datastore/column_codec.h"

#include <nlohmann/json.hpp>

namespace sprawl {
namespace {

using Json = nlohmann::json;

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string JsonList(const std::vector<std::string>& v) {
  return Dump(Json(v));
}

std::vector<std::string> ParseList(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

std::string PipelineJson(const Location& l) {
  if (!l.pipeline) return "";
  return Dump(Json{{"system", l.pipeline->system},
                   {"key_path", l.pipeline->key_path},
                   {"job", l.pipeline->job}});
}

std::string ClientJson(const Location& l) {
  if (!l.client) return "";
  return Dump(Json{{"client", l.client->client},
                   {"endpoint", l.client->endpoint},
                   {"server", l.client->server},
                   {"key_path", l.client->key_path}});
}

std::optional<ClientContext> ParseClient(const std::string& text) {
  if (text.empty()) return std::nullopt;
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  ClientContext c;
  c.client = j.value("client", "");
  c.endpoint = j.value("endpoint", "");
  c.server = j.value("server", "");
  c.key_path = j.value("key_path", "");
  return c;
}

std::optional<PipelineContext> ParsePipeline(const std::string& text) {
  if (text.empty()) return std::nullopt;
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  PipelineContext p;
  p.system = j.value("system", "");
  p.key_path = j.value("key_path", "");
  p.job = j.value("job", "");
  return p;
}

}  // namespace sprawl
