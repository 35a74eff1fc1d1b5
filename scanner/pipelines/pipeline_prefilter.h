// MayHoldPipelineSecret: a cheap, conservative test of whether parsing a
// pipeline file could yield a literal secret (rule pipeline.literal-secret)
// or a pipeline finding (a static cloud key given to a login action). A
// history holds thousands of versions of each workflow file; most of them
// name no secret-like variable with a literal value, and yaml-cpp reads a
// few MB/s, so a history scan parses only the versions that pass this test
// (and those that need parsing for other reasons: rule findings to give a
// context, versions at ref tips for references).
//
// Conservative means: false only when AnalyzePipeline would report no
// literal secret and no pipeline finding for `content`. Anything the
// line-by-line reading cannot judge (flow collections, anchors and aliases,
// tags, block scalars, explicit keys, escapes in double quotes, a key
// whose value is on a later line, NUL bytes, UTF-16/32) answers true.
// A pure function: thread-safe.
#pragma once

#include <string_view>

namespace sprawl {

bool MayHoldPipelineSecret(std::string_view content, std::string_view system);

}  // namespace sprawl
