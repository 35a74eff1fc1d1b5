#include "scanner/sources/path_table.h"

namespace sprawl {

PathTable::PathTable() { nodes_.push_back({0, 0, 0}); }

uint32_t PathTable::Intern(uint32_t parent, std::string_view name) {
  key_.assign(reinterpret_cast<const char*>(&parent), sizeof parent);
  key_.append(name);
  auto it = ids_.find(std::string_view(key_));
  if (it != ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back({parent, static_cast<uint32_t>(names_.size()),
                    static_cast<uint32_t>(name.size())});
  names_.append(name);
  ids_.emplace(key_, id);
  return id;
}

std::string PathTable::Path(uint32_t id) const {
  std::vector<uint32_t> chain;
  for (uint32_t x = id; x != 0; x = nodes_[x].parent) chain.push_back(x);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out.push_back('/');
    out.append(names_, nodes_[*it].name_begin, nodes_[*it].name_size);
  }
  return out;
}

}  // namespace sprawl
