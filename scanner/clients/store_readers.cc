// Readers for credential stores written by CLIs: docker config.json,
// kubeconfig, gcloud service-account and ADC JSON, Azure CLI token caches.
#include <map>
#include <set>

#include "scanner/base/text.h"
#include "scanner/clients/client_reader.h"

namespace sprawl {
namespace {

constexpr int kMaxDepth = 64;

void Positional(const OrderedJson& obj, std::string_view key,
                const std::string& path, const ValueScope& scope,
                ClientReader* r) {
  const std::string v = StringOr(obj, key);
  if (!v.empty()) {
    r->Value(v, Child(path, key), ValueKind::kPositional, key, scope);
  }
}

}  // namespace

void ReadDocker(const OrderedJson& doc, ClientReader* r) {
  if (!doc.is_object()) return;
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return;
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    if (!it->is_object()) continue;
    const std::string kp = Child("auths", it.key());
    ValueScope scope;
    scope.endpoint = HostOf(it.key());
    const std::string auth = StringOr(*it, "auth");
    if (!auth.empty() && !IsTemplate(auth)) {
      auto decoded = DecodeBase64(auth);
      const std::size_t colon =
          decoded ? decoded->find(':') : std::string::npos;
      if (decoded && colon != std::string::npos && IsValidUtf8(*decoded)) {
        std::string password = decoded->substr(colon + 1);
        if (PlausibleSecret(password)) {
          r->Decoded(std::move(password), auth, Child(kp, "auth"), scope);
        }
      } else {
        // Not user:password in base64: the value itself is the secret.
        r->Value(auth, Child(kp, "auth"), ValueKind::kPositional, "auth",
                 scope);
      }
    }
    for (std::string_view k : {"identitytoken", "registrytoken", "password"}) {
      Positional(*it, k, kp, scope, r);
    }
  }
}

void ReadKubeconfig(const OrderedJson& doc, ClientReader* r) {
  if (!doc.is_object()) return;
  // user -> server, through contexts and clusters.
  std::map<std::string, std::string> server_of_cluster;
  std::map<std::string, std::string> server_of_user;
  if (auto c = doc.find("clusters"); c != doc.end() && c->is_array()) {
    for (const auto& e : *c) {
      if (!e.is_object()) continue;
      auto cl = e.find("cluster");
      if (cl != e.end()) {
        server_of_cluster[StringOr(e, "name")] =
            HostOf(StringOr(*cl, "server"));
      }
    }
  }
  if (auto c = doc.find("contexts"); c != doc.end() && c->is_array()) {
    for (const auto& e : *c) {
      if (!e.is_object()) continue;
      auto ctx = e.find("context");
      if (ctx == e.end()) continue;
      const std::string user = StringOr(*ctx, "user");
      if (!server_of_user.count(user)) {
        server_of_user[user] = server_of_cluster[StringOr(*ctx, "cluster")];
      }
    }
  }
  auto users = doc.find("users");
  if (users == doc.end() || !users->is_array()) return;
  for (std::size_t i = 0; i < users->size(); ++i) {
    const OrderedJson& u = (*users)[i];
    if (!u.is_object()) continue;
    auto user = u.find("user");
    if (user == u.end() || !user->is_object()) continue;
    const std::string kp = Child(Index("users", i), "user");
    ValueScope scope;
    scope.endpoint = server_of_user[StringOr(u, "name")];
    for (std::string_view k : {"token", "client-key-data", "password"}) {
      Positional(*user, k, kp, scope, r);
    }
    if (auto ap = user->find("auth-provider");
        ap != user->end() && ap->is_object()) {
      auto cfg = ap->find("config");
      if (cfg != ap->end() && cfg->is_object()) {
        const std::string akp = Child(Child(kp, "auth-provider"), "config");
        for (std::string_view k : {"client-secret", "id-token",
                                   "refresh-token", "access-token"}) {
          Positional(*cfg, k, akp, scope, r);
        }
      }
    }
    if (auto ex = user->find("exec"); ex != user->end() && ex->is_object()) {
      auto env = ex->find("env");
      if (env != ex->end() && env->is_array()) {
        for (std::size_t e = 0; e < env->size(); ++e) {
          const OrderedJson& kv = (*env)[e];
          const std::string name = StringOr(kv, "name");
          const std::string value = StringOr(kv, "value");
          if (value.empty()) continue;
          r->Value(value,
                   Child(Index(Child(Child(kp, "exec"), "env"), e), "value"),
                   ValueKind::kNamed, name, scope);
        }
      }
    }
  }
}

void ReadGcloud(const OrderedJson& doc, ClientReader* r) {
  if (!doc.is_object()) return;
  ValueScope scope;
  const std::string token_uri = StringOr(doc, "token_uri");
  scope.endpoint = token_uri.empty() ? "" : HostOf(token_uri);
  for (std::string_view k :
       {"private_key", "refresh_token", "client_secret", "access_token"}) {
    Positional(doc, k, "", scope, r);
  }
  // gcloud's legacy credential files nest the same fields.
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it->is_object()) {
      for (std::string_view k : {"private_key", "refresh_token",
                                 "client_secret"}) {
        Positional(*it, k, it.key(), scope, r);
      }
    }
  }
}

namespace {

void WalkAzure(const OrderedJson& j, const std::string& path, ValueScope scope,
               ClientReader* r, int depth) {
  static const std::set<std::string, std::less<>> kSecrets = {
      "accessToken", "refreshToken", "access_token", "refresh_token",
      "client_secret", "clientSecret", "secret", "servicePrincipalSecret",
      "password"};
  if (depth > kMaxDepth) return;
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      WalkAzure(j[i], Index(path, i), scope, r, depth + 1);
    }
    return;
  }
  if (!j.is_object()) return;
  for (std::string_view k : {"environment", "_authority", "resource",
                             "authority"}) {
    const std::string v = StringOr(j, k);
    if (!v.empty()) {
      scope.endpoint = HostOf(v);
      break;
    }
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string kp = Child(path, it.key());
    if (it->is_string() && kSecrets.count(it.key())) {
      r->Value(it->get<std::string>(), kp, ValueKind::kPositional, it.key(),
               scope);
    } else if (it->is_object() || it->is_array()) {
      WalkAzure(*it, kp, scope, r, depth + 1);
    }
  }
}

}  // namespace

void ReadAzureCli(const OrderedJson& doc, ClientReader* r) {
  WalkAzure(doc, "", ValueScope{}, r, 0);
}

}  // namespace sprawl
