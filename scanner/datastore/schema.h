// The datastore's schema as an ordered list of migrations: migration i
// (0-based) takes a file from user_version i to i + 1. Append only; never
// edit a released migration. Pure data.
#pragma once

#include <string_view>
#include <vector>

namespace sprawl {

const std::vector<std::string_view>& DatastoreMigrations();

}  // namespace sprawl
