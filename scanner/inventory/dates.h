// Calendar dates (YYYY-MM-DD) as day numbers, and inventory durations
// (Nd, Nw, Nm = 30 days, Ny = 365 days). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sprawl {

// Days since 1970-01-01; nullopt unless `s` is a real YYYY-MM-DD date.
std::optional<int64_t> ParseDate(std::string_view s);
std::string FormatDate(int64_t days);
// Today in UTC.
int64_t TodayUtc();
// Days in a duration; nullopt unless `s` is N followed by d, w, m or y.
std::optional<int64_t> ParseDuration(std::string_view s);

}  // namespace sprawl
