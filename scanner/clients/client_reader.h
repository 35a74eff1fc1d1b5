// ClientReader: the shared half of the format readers behind
// AnalyzeClientFile. It owns one file's content and analysis while a
// reader runs: it judges values (literal secret, reference, or neither),
// finds where a value parsed out of JSON or YAML sits in the text, and
// records literals and references. One per analysed file; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scanner/clients/client_analysis.h"

namespace sprawl {

using OrderedJson = nlohmann::ordered_json;

// How a value is judged.
enum class ValueKind {
  kPositional,  // its place says it is a credential: any plausible value
  kNamed,       // only when `name` is secret-like (pipeline heuristics)
};

// Where a value is for (MCP server, endpoint) while a reader walks.
struct ValueScope {
  std::string endpoint;
  std::string server;
};

class ClientReader {
 public:
  ClientReader(std::string_view path, std::string_view content,
               ClientAnalysis* out);

  std::string_view content() const { return content_; }

  // Judges `value` found at `key_path`: references in it are recorded (and
  // it is then never a literal); otherwise it is a literal when `kind`
  // allows. `offset` is where it sits when known; else it is looked up in
  // the text (LocateText), starting after the previous hit of the same text.
  // Returns true when a literal was recorded.
  bool Value(std::string_view value, const std::string& key_path,
             ValueKind kind, std::string_view name, const ValueScope& scope,
             std::optional<uint64_t> offset = std::nullopt);

  // Records a literal whose text is encoded (base64) at `encoded`: the
  // literal's position is that of the encoded text.
  void Decoded(std::string value, std::string_view encoded,
               const std::string& key_path, const ValueScope& scope);

  // Records the references in `value` (never a literal); true if `value`
  // holds any. With `secret_names_only`, only references whose own name is
  // secret-like are recorded (`{{baseUrl}}` is not worth a line).
  bool References(std::string_view value, const std::string& key_path,
                  std::optional<uint64_t> offset = std::nullopt,
                  bool secret_names_only = false);

  // Offset of `text` (as parsed from JSON or YAML) in the content, trying
  // its JSON-escaped spelling, then the raw text; nullopt when absent.
  std::optional<uint64_t> LocateText(std::string_view text);

  void Diagnose(std::string message);

 private:
  void AddLiteral(std::string value, const std::string& key_path,
                  const ValueScope& scope, std::optional<uint64_t> offset,
                  uint64_t length, bool decoded);
  uint64_t LineOf(uint64_t offset) const;

  std::string path_;
  std::string_view content_;
  ClientAnalysis* out_;
  std::vector<uint64_t> line_starts_;
  std::map<std::string, uint64_t, std::less<>> cursor_;  // next search start
};

// One reference named in a value.
struct ClientReference {
  std::string name;
  std::size_t offset = 0;  // where its syntax starts in the value
};

// References in `value`: `{{name}}`, `{{ _.name }}`, `{{$dotenv X}}`,
// `{{$processEnv X}}`, `${env:X}`, `${input:x}`, `${X}`, `$X`,
// `process.env.X`. A `{{$guid}}`-style dynamic variable has no name but
// still makes the value a template (see IsTemplate).
std::vector<ClientReference> FindClientReferences(std::string_view value);

// True when `value` interpolates anything (a reference or a dynamic
// variable): it is then not a literal secret.
bool IsTemplate(std::string_view value);

// True when a value found by its place is a plausible secret: not empty,
// not a placeholder, not a template.
bool PlausibleSecret(std::string_view value);

// Strips an auth scheme (`Bearer `, `Token `, `Basic `...) off a header
// value; `scheme` receives it lowercased ("" when none).
std::string_view StripScheme(std::string_view value, std::string* scheme);

// Standard base64 (and URL-safe) decoding; nullopt on bad input.
std::optional<std::string> DecodeBase64(std::string_view text);

// The host of a URL-ish string ("https://a.b:8/x" -> "a.b:8"), or the
// string itself when it has no scheme and no path.
std::string HostOf(std::string_view url);

// Key path helpers: "a.b", "a[3]"; keys that are not plain identifiers
// are quoted ("auths.\"ghcr.io\"").
std::string Child(const std::string& parent, std::string_view key);
std::string Index(const std::string& parent, std::size_t i);

// Parses JSON (comments allowed, as VS Code writes them); a failure is a
// diagnostic on `reader` and nullopt.
std::optional<OrderedJson> ParseJsonFile(std::string_view content,
                                         ClientReader* reader);
// Parses YAML into JSON under the pipeline YAML caps (size, node estimate,
// depth, and a cap on visited nodes so alias bombs stop); a failure is a
// diagnostic and nullopt.
std::optional<OrderedJson> ParseYamlFile(std::string_view content,
                                         const PipelineLimits& limits,
                                         ClientReader* reader);

// The format readers (one per format family).
void ReadPostman(const OrderedJson& doc, ClientReader* r);
void ReadInsomnia(const OrderedJson& doc, ClientReader* r);
void ReadMcp(const OrderedJson& doc, ClientReader* r);
void ReadDocker(const OrderedJson& doc, ClientReader* r);
void ReadKubeconfig(const OrderedJson& doc, ClientReader* r);
void ReadGcloud(const OrderedJson& doc, ClientReader* r);
void ReadAzureCli(const OrderedJson& doc, ClientReader* r);
void ReadBruno(ClientReader* r);
void ReadHttpFile(ClientReader* r);
void ReadNpmrc(ClientReader* r);
void ReadPypirc(ClientReader* r);
void ReadNetrc(ClientReader* r);
void ReadAwsCli(ClientReader* r);

// Helpers for JSON readers.
std::string StringOr(const OrderedJson& obj, std::string_view key,
                     std::string fallback = "");

}  // namespace sprawl
