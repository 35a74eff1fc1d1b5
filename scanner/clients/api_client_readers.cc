// Readers for the API clients' JSON and YAML exports: Postman collections,
// environments and globals, and Insomnia exports (v4 JSON, v5 YAML).
#include <set>

#include "scanner/base/text.h"
#include "scanner/clients/client_reader.h"

namespace sprawl {
namespace {

constexpr int kMaxDepth = 200;

// Auth parameters that hold the secret, in Postman's and Insomnia's
// spellings (bearer, basic, digest, apikey, oauth1/2, awsv4, hawk, akamai,
// ntlm, jwt, asap).
bool IsAuthSecretParam(std::string_view key) {
  static const std::set<std::string, std::less<>> kKeys = {
      "token",         "password",     "accessToken",   "access_token",
      "refreshToken",  "refresh_token", "clientSecret", "client_secret",
      "secretKey",     "secretAccessKey", "sessionToken", "authKey",
      "secret",        "clientToken",  "privateKey",    "consumerSecret",
      "tokenSecret",   "apiKey",       "identityToken", "value"};
  return kKeys.count(key) > 0;
}

// The endpoint a request object names (`url` string, or Postman's url
// object with `raw` or `host`).
std::string EndpointOf(const OrderedJson& obj) {
  auto it = obj.find("url");
  if (it == obj.end()) return "";
  if (it->is_string()) {
    const std::string url = it->get<std::string>();
    return IsTemplate(url) && url.starts_with("{{") ? "" : HostOf(url);
  }
  if (!it->is_object()) return "";
  if (auto host = it->find("host"); host != it->end()) {
    if (host->is_array()) {
      std::string h;
      for (const auto& part : *host) {
        if (!part.is_string()) continue;
        if (!h.empty()) h += ".";
        h += part.get<std::string>();
      }
      if (!h.empty() && h.find("{{") == std::string::npos) {
        return EscapeForDisplay(h);
      }
    } else if (host->is_string()) {
      return HostOf(host->get<std::string>());
    }
  }
  const std::string raw = StringOr(*it, "raw");
  return raw.empty() || raw.starts_with("{{") ? "" : HostOf(raw);
}

void ReadAuth(const OrderedJson& auth, const std::string& path,
              const ValueScope& scope, ClientReader* r) {
  if (!auth.is_object()) return;
  const std::string type = StringOr(auth, "type");
  for (auto it = auth.begin(); it != auth.end(); ++it) {
    const std::string kp = Child(path, it.key());
    if (it->is_string()) {
      // Insomnia: {type: bearer, token: …}; Postman v2.0: {bearer: {token}}.
      if (IsAuthSecretParam(it.key()) &&
          (it.key() != "value" || type == "apikey")) {
        r->Value(it->get<std::string>(), kp, ValueKind::kPositional, it.key(),
                 scope);
      } else {
        r->References(it->get<std::string>(), kp);
      }
    } else if (it->is_array()) {
      // Postman v2.1: {type: bearer, bearer: [{key: token, value: …}]}.
      for (std::size_t i = 0; i < it->size(); ++i) {
        const OrderedJson& p = (*it)[i];
        if (!p.is_object()) continue;
        const std::string key = StringOr(p, "key");
        auto v = p.find("value");
        if (v == p.end() || !v->is_string()) continue;
        const std::string ikp = Child(kp, key.empty() ? "?" : key);
        if (IsAuthSecretParam(key) &&
            (key != "value" || it.key() == "apikey")) {
          r->Value(v->get<std::string>(), ikp, ValueKind::kPositional, key,
                   scope);
        } else {
          r->References(v->get<std::string>(), ikp);
        }
      }
    } else if (it->is_object()) {
      ReadAuth(*it, kp, scope, r);
    }
  }
}

// An array of {key|name, value[, type]} pairs: headers, query parameters,
// form fields, Postman variables and environment values.
bool IsPairList(const OrderedJson& a) {
  if (!a.is_array() || a.empty()) return false;
  for (const auto& p : a) {
    if (!p.is_object() || !p.contains("value") ||
        !(p.contains("key") || p.contains("name"))) {
      return false;
    }
  }
  return true;
}

void ReadPairs(const OrderedJson& a, const std::string& path,
               const ValueScope& scope, ClientReader* r) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const OrderedJson& p = a[i];
    std::string name = StringOr(p, "key", StringOr(p, "name"));
    const OrderedJson& v = p["value"];
    if (!v.is_string()) continue;
    const std::string kp = Child(Index(path, i), name.empty() ? "?" : name);
    const bool secret_type = StringOr(p, "type") == "secret";
    r->Value(v.get<std::string>(), kp,
             secret_type ? ValueKind::kPositional : ValueKind::kNamed, name,
             scope);
  }
}

// Insomnia environment `data`: nested name -> value maps.
void ReadData(const OrderedJson& data, const std::string& path,
              const ValueScope& scope, ClientReader* r, int depth) {
  if (depth > kMaxDepth) return;
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      const std::string kp = Child(path, it.key());
      if (it->is_string()) {
        r->Value(it->get<std::string>(), kp, ValueKind::kNamed, it.key(),
                 scope);
      } else {
        ReadData(*it, kp, scope, r, depth + 1);
      }
    }
  } else if (data.is_array()) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      ReadData(data[i], Index(path, i), scope, r, depth + 1);
    }
  }
}

void Walk(const OrderedJson& j, const std::string& path, ValueScope scope,
          ClientReader* r, int depth) {
  if (depth > kMaxDepth) return;
  if (j.is_array()) {
    if (IsPairList(j)) return ReadPairs(j, path, scope, r);
    for (std::size_t i = 0; i < j.size(); ++i) {
      Walk(j[i], Index(path, i), scope, r, depth + 1);
    }
    return;
  }
  if (!j.is_object()) return;
  if (std::string e = EndpointOf(j); !e.empty()) scope.endpoint = e;
  if (auto req = j.find("request"); req != j.end() && req->is_object()) {
    if (std::string e = EndpointOf(*req); !e.empty()) scope.endpoint = e;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string kp = Child(path, it.key());
    if (it.key() == "auth" || it.key() == "authentication") {
      ReadAuth(*it, kp, scope, r);
    } else if (it.key() == "data" && it->is_object()) {
      ReadData(*it, kp, scope, r, depth + 1);
    } else if (it->is_object() || it->is_array()) {
      Walk(*it, kp, scope, r, depth + 1);
    } else if (it->is_string() && it.key() != "url") {
      r->References(it->get<std::string>(), kp, std::nullopt, true);
    }
  }
}

}  // namespace

void ReadPostman(const OrderedJson& doc, ClientReader* r) {
  Walk(doc, "", ValueScope{}, r, 0);
}

void ReadInsomnia(const OrderedJson& doc, ClientReader* r) {
  Walk(doc, "", ValueScope{}, r, 0);
}

}  // namespace sprawl
