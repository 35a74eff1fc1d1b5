#include "scanner/inventory/draft.h"

#include <set>
#include <sstream>
#include <vector>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

// YAML comment text: no line breaks, no control bytes.
std::string CommentSafe(const std::string& s) { return EscapeForDisplay(s); }

std::string DraftId(const ReportedCredential& c, std::set<std::string>* used) {
  std::string base = c.rule;
  for (char& ch : base) {
    if (ch == '.' || ch == '_') ch = '-';
  }
  const std::size_t colon = c.fingerprint.find(':');
  std::string id = base + "-" + c.fingerprint.substr(colon + 1, 8);
  while (!used->insert(id).second) id += "x";
  return id;
}

}  // namespace

std::string DraftEntries(const Report& report, const Inventory& existing,
                         const std::string& indent, int* count) {
  std::ostringstream out;
  std::set<std::string> used;
  for (const auto& e : existing.credentials) used.insert(e.id);
  *count = 0;
  for (const ReportedCredential& c : report.credentials) {
    if (existing.credential_by_fingerprint.count(c.fingerprint)) continue;
    ++*count;
    const std::string id = DraftId(c, &used);
    out << indent << "# " << c.rule << " " << CommentSafe(c.redacted) << "\n";
    std::size_t shown = 0;
    for (const auto& l : c.locations) {
      if (shown++ == 5) {
        out << indent << "#   … and " << (c.locations.size() - 5)
            << " more location(s)\n";
        break;
      }
      out << indent << "#   seen at " << CommentSafe(l.path) << ":" << l.line;
      if (l.git && !l.git->commit.empty()) {
        out << " (commit " << l.git->commit.substr(0, 12) << " by "
            << CommentSafe(l.git->author) << " <"
            << CommentSafe(l.git->author_email) << ">, " << l.git->date << ")";
      }
      out << "\n";
    }
    if (c.suggested_owner) {
      out << indent << "#   suggested owner: " << CommentSafe(*c.suggested_owner)
          << "\n";
    }
    out << indent << "- id: " << id << "\n";
    out << indent << "  provider: " << c.provider << "\n";
    out << indent << "  fingerprints: [\"" << c.fingerprint << "\"]\n";
    out << indent << "  owner: \"\"  # TODO: who answers for this credential\n";
    out << indent << "  status: active\n";
  }
  return out.str();
}

std::string DraftInventory(const Report& report, int* count) {
  Inventory empty;
  std::string entries = DraftEntries(report, empty, "  ", count);
  std::string out =
      "# sprawl credential inventory (v1), drafted by `sprawl inventory init`.\n"
      "# Fill in each owner, then add consumer, environment, expires and\n"
      "# rotate_every; see DESIGN.md for every field.\n"
      "version: 1\n"
      "consumers: []\n";
  out += entries.empty() ? "credentials: []\n" : "credentials:\n" + entries;
  return out;
}

Result<std::string> ExtendInventory(const std::string& original,
                                    const Inventory& existing,
                                    const Report& report, int* count) {
  std::vector<std::string> lines;
  {
    std::size_t pos = 0;
    while (pos < original.size()) {
      std::size_t nl = original.find('\n', pos);
      if (nl == std::string::npos) nl = original.size() - 1;
      lines.push_back(original.substr(pos, nl - pos + 1));
      pos = nl + 1;
    }
  }
  auto top_key = [](const std::string& l) {
    return !l.empty() && l[0] != ' ' && l[0] != '\t' && l[0] != '#' &&
           l[0] != '-' && l[0] != '\n' && l[0] != '\r';
  };
  std::size_t key = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("credentials:", 0) == 0) {
      key = i;
      break;
    }
  }
  std::string prefix = original;
  if (!prefix.empty() && prefix.back() != '\n') prefix += '\n';
  if (key == lines.size()) {
    std::string entries = DraftEntries(report, existing, "  ", count);
    if (*count == 0) return original;
    return prefix + "credentials:\n" + entries;
  }
  std::string_view rest = Trim(std::string_view(lines[key]).substr(12));
  if (!rest.empty() && rest[0] != '#') {
    return Error{"the inventory's credentials list is in flow style ('" +
                 std::string(rest) +
                 "'); write it as a block list to let init extend it"};
  }
  std::size_t end = key + 1;
  std::size_t last_content = key;
  std::string indent = "  ";
  bool indent_found = false;
  for (; end < lines.size() && !top_key(lines[end]); ++end) {
    std::string_view t = Trim(lines[end]);
    if (t.empty()) continue;
    last_content = end;
    if (!indent_found && t[0] == '-') {
      indent = lines[end].substr(0, lines[end].find('-'));
      indent_found = true;
    }
  }
  std::string entries = DraftEntries(report, existing, indent, count);
  if (*count == 0) return original;
  std::string out;
  for (std::size_t i = 0; i <= last_content; ++i) out += lines[i];
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += entries;
  for (std::size_t i = last_content + 1; i < lines.size(); ++i) out += lines[i];
  return out;
}

}  // namespace sprawl
