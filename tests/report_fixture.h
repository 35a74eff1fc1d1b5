// A hand-built Report for the reporter suites: three credentials (a failing
// AI key with git provenance and hostile paths, a registered cloud key read
// by a pipeline, a warn-status payments key whose rule is missing from the
// rule table), a pipeline finding and an unseen inventory entry. Synthetic
// values only. Header-only so every suite can include it.
#pragma once

#include <string>

#include "scanner/findings/report.h"

namespace sprawl::testing {

// Paths chosen to break naive escaping: CSV (comma, quote, leading '='),
// Markdown (pipe, backtick), XML (< &), URIs (space, %, #, non-UTF-8 byte),
// workflow commands (: , %) and line structure (newline).
inline const char* kHostilePath =
    "conf/=cmd,\"q\" |x|`<a&b>` 100%#1:2\n\xff.env";
inline const char* kSpacePath = "deploy/my app/.env";

inline Report SampleReport() {
  Report r;
  r.command = "git";
  r.stats.files_scanned = 7;
  r.stats.bytes_scanned = 4096;
  r.stats.commits = 3;
  r.rules = {
      {"openai.project-key",
       "OpenAI project key",
       "openai",
       "ai",
       "high",
       {"not a uri", "https://platform.openai.com/docs/api-reference"}},
      {"aws.access-key-id",
       "AWS access key ID",
       "aws",
       "cloud",
       "high",
       {"https://docs.aws.amazon.com/IAM/latest/UserGuide/"
        "id_credentials_access-keys.html"}},
  };

  ReportedCredential ai;
  ai.fingerprint = "sha256:" + std::string(64, 'a');
  ai.rule = "openai.project-key";
  ai.rule_name = "OpenAI project key";
  ai.provider = "openai";
  ai.category = "ai";
  ai.confidence = "high";
  ai.redacted = "sk-proj-…Q3xA";
  ai.status = "unregistered";
  ai.reason = "not in the inventory";
  ai.suggested_owner = "@team-payments";
  ai.fails = true;
  Location file{"file",       "app/settings.py", 12, 15,
                std::nullopt, std::nullopt,      std::nullopt, ""};
  Location hist{"git",        kSpacePath,   3,           1,
                GitProvenance{}, std::nullopt, std::nullopt, ""};
  hist.git->commit = std::string(40, 'c');
  hist.git->author = "Dev, \"Quoted\" <x>";
  hist.git->date = "2026-01-02T03:04:05+00:00";
  hist.git->blob = std::string(40, 'b');
  hist.git->in_head = false;
  Location hostile{"file",       kHostilePath, 1,           7,
                   std::nullopt, std::nullopt, std::nullopt, ""};
  ai.locations = {file, hist, hostile};

  ReportedCredential aws;
  aws.fingerprint = "sha256:" + std::string(64, 'b');
  aws.rule = "aws.access-key-id";
  aws.rule_name = "AWS access key ID";
  aws.provider = "aws";
  aws.category = "cloud";
  aws.confidence = "high";
  aws.redacted = "AKIA…WXYZ";
  aws.status = "registered";
  aws.reason = "registered as deploy-aws";
  aws.inventory_id = "deploy-aws";
  aws.owner = "=team-infra@corp.test";
  Location pipe{"file",
                ".github/workflows/ci.yml",
                9,
                24,
                std::nullopt,
                PipelineContext{"github-actions", "jobs.build.env.AWS_KEY", ""},
                std::nullopt,
                ""};
  aws.locations = {pipe};

  ReportedCredential stripe;
  stripe.fingerprint = "sha256:" + std::string(64, 'c');
  stripe.rule = "stripe.secret-key";
  stripe.rule_name = "Stripe secret key";
  stripe.provider = "stripe";
  stripe.category = "payments";
  stripe.confidence = "medium";
  stripe.redacted = "sk_live_…9f0e";
  stripe.status = "rotation-overdue";
  stripe.reason = "last rotated 2025-01-01, every 90d";
  stripe.inventory_id = "billing-stripe";
  stripe.owner = "billing@corp.test";
  Location idx{"index",         "billing/keys.py", 4, 2,
               GitProvenance{}, std::nullopt,      std::nullopt, ""};
  idx.git->blob = std::string(40, 'd');
  stripe.locations = {idx};

  r.credentials = {ai, aws, stripe};
  r.pipeline_findings = {{"static-cloud-key-in-login-action",
                          ".github/workflows/deploy.yml",
                          "jobs.deploy.steps[1].with.aws-access-key-id", 17,
                          "static key given to configure-aws-credentials; "
                          "use OIDC"}};
  r.unseen = std::vector<std::string>{"old-slack-bot"};
  return r;
}

}  // namespace sprawl::testing
