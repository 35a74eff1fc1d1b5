// Placeholder detection: the one place that decides a candidate secret is a
// documented example, a template placeholder or an obvious dummy value
// (`your-key-here`, `xxxx…`, `<token>`, `${VAR}`, AWS's `…EXAMPLE` keys).
// Pure function; thread-safe.
#pragma once

#include <string_view>

namespace sprawl {

// `prefix` is the rule's public prefix, ignored when judging the body.
bool LooksLikePlaceholder(std::string_view secret, std::string_view prefix);

}  // namespace sprawl
