// The one secrets policy: decides what part of a secret a report may show.
// A preview shows at most the rule's public prefix and the last 4 characters,
// never more than a quarter of the secret; secrets shorter than 16 characters
// show only their length. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sprawl {

std::string RedactSecret(std::string_view secret, std::string_view prefix);

}  // namespace sprawl
