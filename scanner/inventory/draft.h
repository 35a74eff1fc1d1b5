// Draft inventories for `sprawl inventory init`: one entry per unregistered
// credential (id, provider, fingerprint, empty owner for a person to fill,
// and comments with the redacted preview, locations and suggested owner).
// Never writes a raw secret. Extending an existing file inserts text into its
// `credentials:` block and keeps every existing byte. Pure functions.
#pragma once

#include <string>

#include "scanner/base/result.h"
#include "scanner/findings/report.h"
#include "scanner/inventory/inventory.h"

namespace sprawl {

// Entries for every credential of `report` not registered in `existing`,
// each line prefixed with `indent`. `count` receives how many.
std::string DraftEntries(const Report& report, const Inventory& existing,
                         const std::string& indent, int* count);

// A whole new inventory file.
std::string DraftInventory(const Report& report, int* count);

// `original` with the missing entries inserted; Error when the file's
// credentials list is in flow style (cannot be extended byte-preservingly).
Result<std::string> ExtendInventory(const std::string& original,
                                    const Inventory& existing,
                                    const Report& report, int* count);

}  // namespace sprawl
