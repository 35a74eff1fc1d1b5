// CredentialStatus: the one list of the statuses a credential of a report
// can have, in precedence order (the first that applies wins; see
// docs/inventory.md). Reconcile decides a status as this enum; the Report
// carries its name (StatusName), the string reporters, --fail-on and the
// datastore see. Constants only; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace sprawl {

enum class CredentialStatus {
  kRevoked,          // revoked or retired in the inventory, still present
  kExpired,          // past the entry's expires date
  kUnowned,          // registered, but no owner on the entry or its consumer
  kMisplaced,        // found outside the entry's allowed_paths
  kUnregistered,     // not in the inventory (or its allow entry expired)
  kRotationOverdue,  // rotate_every passed since last_rotated (or created)
  kReviewOverdue,    // the consumer's review_every passed
  kAllowed,          // an unexpired allow entry covers it
  kRegistered,       // in the inventory and in good standing
};

// Every status, in precedence order.
inline constexpr std::array<CredentialStatus, 9> kAllCredentialStatuses = {
    CredentialStatus::kRevoked,         CredentialStatus::kExpired,
    CredentialStatus::kUnowned,         CredentialStatus::kMisplaced,
    CredentialStatus::kUnregistered,    CredentialStatus::kRotationOverdue,
    CredentialStatus::kReviewOverdue,   CredentialStatus::kAllowed,
    CredentialStatus::kRegistered};

// The name in reports and --fail-on: "revoked", ..., "rotation-overdue".
constexpr std::string_view StatusName(CredentialStatus status) {
  switch (status) {
    case CredentialStatus::kRevoked: return "revoked";
    case CredentialStatus::kExpired: return "expired";
    case CredentialStatus::kUnowned: return "unowned";
    case CredentialStatus::kMisplaced: return "misplaced";
    case CredentialStatus::kUnregistered: return "unregistered";
    case CredentialStatus::kRotationOverdue: return "rotation-overdue";
    case CredentialStatus::kReviewOverdue: return "review-overdue";
    case CredentialStatus::kAllowed: return "allowed";
    case CredentialStatus::kRegistered: return "registered";
  }
  return "unregistered";
}

// The status named `name`, if any.
constexpr std::optional<CredentialStatus> ParseStatus(std::string_view name) {
  for (CredentialStatus s : kAllCredentialStatuses) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

// Whether the status fails the gate unless --fail-on says otherwise.
constexpr bool FailsByDefault(CredentialStatus status) {
  return status <= CredentialStatus::kUnregistered;
}

}  // namespace sprawl
