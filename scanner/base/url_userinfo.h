// Userinfo in repository URLs: `https://x-access-token:TOKEN@host/org/repo`
// carries a credential that must never reach a report, a diagnostic or the
// datastore. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sprawl {

// `url` without the userinfo of its authority (`scheme://user:pw@host/…` ->
// `scheme://host/…`); anything else (a path, an scp-like `git@host:path`,
// whose user names no secret) unchanged.
std::string StripUrlUserinfo(std::string_view url);

// `text` with every occurrence of `url`'s userinfo (and of its password
// alone, percent-decoded or not) replaced by `***`: for messages of
// libraries that echo the URL they were given.
std::string ScrubUrlUserinfo(std::string text, std::string_view url);

}  // namespace sprawl
