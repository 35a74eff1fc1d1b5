// Reader for MCP server configs (Claude Desktop, Claude Code, Cursor, VS
// Code, any `mcpServers` / `servers` map): each server's `env` values,
// `headers` (`Authorization: Bearer …`) and secret-looking `args`.
#include "scanner/base/text.h"
#include "scanner/clients/client_reader.h"
#include "scanner/pipelines/secret_names.h"

namespace sprawl {
namespace {

constexpr int kMaxDepth = 64;

void ReadNamedMap(const OrderedJson& m, const std::string& path,
                  const ValueScope& scope, ClientReader* r) {
  if (!m.is_object()) return;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!it->is_string()) continue;
    r->Value(it->get<std::string>(), Child(path, it.key()), ValueKind::kNamed,
             it.key(), scope);
  }
}

// `--api-key=X`, `--token X`, `API_KEY=X` in a server's command line.
void ReadArgs(const OrderedJson& args, const std::string& path,
              const ValueScope& scope, ClientReader* r) {
  if (!args.is_array()) return;
  std::string pending;  // a secret-like flag waiting for its value
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i].is_string()) {
      pending.clear();
      continue;
    }
    const std::string a = args[i].get<std::string>();
    const std::string kp = Index(path, i);
    if (!pending.empty()) {
      r->Value(a, kp, ValueKind::kNamed, pending, scope);
      pending.clear();
      continue;
    }
    std::string_view flag = a;
    while (flag.starts_with("-")) flag.remove_prefix(1);
    const std::size_t eq = flag.find('=');
    if (eq != std::string_view::npos) {
      const std::string_view name = flag.substr(0, eq);
      if (ClassifySecretName(name) != SecretName::kNo) {
        r->Value(std::string(flag.substr(eq + 1)), kp, ValueKind::kNamed,
                 name, scope);
      } else {
        r->References(a, kp, std::nullopt, true);
      }
    } else if (a.starts_with("-") &&
               ClassifySecretName(flag) != SecretName::kNo) {
      pending = std::string(flag);
    } else {
      r->References(a, kp, std::nullopt, true);
    }
  }
}

void ReadServer(const std::string& name, const OrderedJson& server,
                const std::string& path, ClientReader* r) {
  if (!server.is_object()) return;
  ValueScope scope;
  scope.server = name;
  for (std::string_view k : {"url", "serverUrl", "httpUrl", "endpoint"}) {
    const std::string url = StringOr(server, k);
    if (!url.empty()) {
      scope.endpoint = HostOf(url);
      break;
    }
  }
  for (auto it = server.begin(); it != server.end(); ++it) {
    const std::string kp = Child(path, it.key());
    if (it.key() == "env" || it.key() == "headers" ||
        it.key() == "requestInit") {
      if (it.key() == "requestInit" && it->is_object()) {
        auto h = it->find("headers");
        if (h != it->end()) ReadNamedMap(*h, Child(kp, "headers"), scope, r);
      } else {
        ReadNamedMap(*it, kp, scope, r);
      }
    } else if (it.key() == "args") {
      ReadArgs(*it, kp, scope, r);
    } else if (it->is_string() && it.key() != "command" && it.key() != "url") {
      r->Value(it->get<std::string>(), kp, ValueKind::kNamed, it.key(), scope);
    }
  }
}

void Walk(const OrderedJson& j, const std::string& path, ClientReader* r,
          int depth) {
  if (depth > kMaxDepth || !j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string kp = Child(path, it.key());
    if ((it.key() == "mcpServers" || it.key() == "servers" ||
         it.key() == "context_servers") &&
        it->is_object()) {
      for (auto s = it->begin(); s != it->end(); ++s) {
        ReadServer(s.key(), *s, Child(kp, s.key()), r);
      }
    } else if (it->is_object()) {
      Walk(*it, kp, r, depth + 1);  // "mcp": {"servers"}, "projects": {…}
    }
  }
}

}  // namespace

void ReadMcp(const OrderedJson& doc, ClientReader* r) { Walk(doc, "", r, 0); }

}  // namespace sprawl
