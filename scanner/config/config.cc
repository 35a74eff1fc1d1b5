#include "scanner/config/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "scanner/base/repo_file.h"

namespace sprawl {
namespace {

std::string At(const std::string& origin, const YAML::Node& n,
               const std::string& field) {
  std::string s = origin;
  if (n.IsDefined() && n.Mark().line >= 0) {
    s += ":" + std::to_string(n.Mark().line + 1) + ":" +
         std::to_string(n.Mark().column + 1);
  }
  return s + ": field '" + field + "': ";
}

std::string Resolve(const std::string& root, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return (std::filesystem::path(root) / p).lexically_normal().string();
}

Result<std::vector<std::string>> StringList(const std::string& origin,
                                            const YAML::Node& n,
                                            const std::string& field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) return Error{At(origin, n, field) + "expected a list"};
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      return Error{At(origin, item, field) + "expected a list of strings"};
    }
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace

Result<double> ParseSeconds(const std::string& text) {
  std::string t = text;
  double unit = 1;
  if (!t.empty() && (t.back() == 's' || t.back() == 'm')) {
    unit = t.back() == 'm' ? 60 : 1;
    t.pop_back();
  }
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !(v >= 0) || v > 1e7) {
    return Error{"expected seconds (e.g. 60, 2.5, 90s, 5m; 0 = no limit), got '" +
                 text + "'"};
  }
  return v * unit;
}

Result<uint64_t> ParseByteSize(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  if (i == 0 || i > 15) return Error{"expected a size like 50MiB, got '" + text + "'"};
  const uint64_t n = std::stoull(text.substr(0, i));
  std::string unit = text.substr(i);
  for (char& c : unit) c = static_cast<char>(std::tolower(c));
  uint64_t mult = 1;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    mult = 1ull << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    mult = 1ull << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    mult = 1ull << 30;
  } else {
    return Error{"unknown size unit '" + text.substr(i) + "' in '" + text +
                 "' (use B, KiB, MiB or GiB)"};
  }
  return n * mult;
}

Result<Config> ParseConfig(const std::string& yaml_text,
                           const std::string& origin, const std::string& root) {
  Config config;
  config.path = origin;
  YAML::Node doc;
  try {
    doc = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Error{origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg};
  }
  if (doc.IsNull()) return config;
  if (!doc.IsMap()) return Error{origin + ": expected a mapping at the top"};
  static const std::set<std::string> kTop = {"version", "rules", "exclude",
                                             "policy", "limits", "threads",
                                             "inventory"};
  try {
    for (const auto& kv : doc) {
      const std::string key = kv.first.Scalar();
      if (!kTop.count(key)) {
        return Error{At(origin, kv.first, key) +
                     "unknown key (expected version, rules, exclude, policy, "
                     "limits, threads, inventory)"};
      }
    }
    if (const auto v = doc["version"]) {
      if (!v.IsScalar() || v.Scalar() != "1") {
        return Error{At(origin, v, "version") + "only version 1 is supported"};
      }
    }
    if (const auto r = doc["rules"]) {
      auto list = StringList(origin, r, "rules");
      if (!list.ok()) return list.error();
      for (const auto& p : *list) config.rules.push_back(Resolve(root, p));
    }
    if (const auto e = doc["exclude"]) {
      auto list = StringList(origin, e, "exclude");
      if (!list.ok()) return list.error();
      config.exclude = *list;
    }
    if (const auto inv = doc["inventory"]) {
      if (!inv.IsScalar()) return Error{At(origin, inv, "inventory") + "expected a path"};
      config.inventory = Resolve(root, inv.Scalar());
    }
    if (const auto t = doc["threads"]) {
      int n = 0;
      try {
        n = t.as<int>();
      } catch (const YAML::Exception&) {
        return Error{At(origin, t, "threads") + "expected an integer"};
      }
      if (n < 0 || n > 1024) {
        return Error{At(origin, t, "threads") + "must be between 0 and 1024"};
      }
      config.threads = n;
    }
    if (const auto p = doc["policy"]) {
      if (!p.IsMap()) return Error{At(origin, p, "policy") + "expected a mapping"};
      for (const auto& kv : p) {
        const std::string key = kv.first.Scalar();
        if (key == "min_confidence") {
          const std::string v = kv.second.IsScalar() ? kv.second.Scalar() : "";
          if (v != "low" && v != "medium" && v != "high") {
            return Error{At(origin, kv.second, "policy.min_confidence") +
                         "expected low, medium or high"};
          }
          config.min_confidence = v;
          continue;
        }
        if (key == "fail_on_new_only") {
          if (!kv.second.IsScalar() ||
              (kv.second.Scalar() != "true" && kv.second.Scalar() != "false")) {
            return Error{At(origin, kv.second, "policy." + key) +
                         "expected true or false"};
          }
          config.fail_on_new_only = kv.second.Scalar() == "true";
          continue;
        }
        if (key == "incomplete_ok") {
          auto list = StringList(origin, kv.second, "policy.incomplete_ok");
          if (!list.ok()) return list.error();
          std::string csv;
          for (const auto& s : *list) {
            if (s != "too-large" && s != "too_large" && s != "timed-out" &&
                s != "timed_out") {
              return Error{At(origin, kv.second, "policy." + key) +
                           "unknown kind '" + s +  // NOLINT(performance-inefficient-string-concatenation)
                           "' (expected too-large, timed-out)"};
            }
            csv += (csv.empty() ? "" : ",") + s;
          }
          config.incomplete_ok = csv;
          continue;
        }
        if (key != "fail_on") {
          return Error{At(origin, kv.first, "policy." + key) +
                       "unknown key (expected fail_on, fail_on_new_only, "
                       "incomplete_ok, min_confidence)"};
        }
        auto list = StringList(origin, kv.second, "policy.fail_on");
        if (!list.ok()) return list.error();
        std::string csv;
        for (const auto& s : *list) csv += (csv.empty() ? "" : ",") + s;
        config.fail_on = csv.empty() ? "none" : csv;
      }
    }
    if (const auto l = doc["limits"]) {
      if (!l.IsMap()) return Error{At(origin, l, "limits") + "expected a mapping"};
      for (const auto& kv : l) {
        const std::string key = kv.first.Scalar();
        if (key != "max_file_size" && key != "max_blob_size" &&
            key != "max_yaml_size" && key != "scan_timeout") {
          return Error{At(origin, kv.first, "limits." + key) +
                       "unknown key (expected max_file_size, max_blob_size, "
                       "max_yaml_size, scan_timeout)"};
        }
        if (!kv.second.IsScalar()) {
          return Error{At(origin, kv.second, "limits." + key) +
                       (key == "scan_timeout" ? "expected seconds"
                                              : "expected a size")};
        }
        if (key == "scan_timeout") {
          auto seconds = ParseSeconds(kv.second.Scalar());
          if (!seconds.ok()) {
            return Error{At(origin, kv.second, "limits." + key) +
                         seconds.error().message};
          }
          config.scan_timeout = *seconds;
          continue;
        }
        auto size = ParseByteSize(kv.second.Scalar());
        if (!size.ok()) {
          return Error{At(origin, kv.second, "limits." + key) +
                       size.error().message};
        }
        (key == "max_file_size"   ? config.max_file_size
         : key == "max_blob_size" ? config.max_blob_size
                                  : config.max_yaml_size) = *size;
      }
    }
  } catch (const YAML::Exception& e) {
    return Error{origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  return config;
}

Result<Config> LoadConfigForRoot(const std::string& root) {
  const std::string path =
      (std::filesystem::path(root) / ".sprawl" / "config.yaml").string();
  auto text = ReadRepoFile(root, path);
  if (!text.ok()) return text.error();
  if (!*text) return Config{};
  return ParseConfig(**text, path, root);
}

}  // namespace sprawl
