#include "scanner/base/text.h"
#include "scanner/clients/client_analysis.h"
#include "scanner/clients/client_files.h"
#include "scanner/clients/client_reader.h"

namespace sprawl {

ClientAnalysis AnalyzeClientFile(std::string_view path,
                                 std::string_view content,
                                 std::string_view client,
                                 const PipelineLimits& limits) {
  ClientAnalysis out;
  out.client = std::string(client);
  if (content.size() > limits.max_bytes) {
    out.diagnostics.push_back(
        "developer-client file not parsed: " + HumanBytes(content.size()) +
        " is over the limit of " + HumanBytes(limits.max_bytes) +
        " (--max-yaml-size); scanned as plain text");
    return out;
  }
  ClientReader reader(path, content, &out);
  if (content.find('\0') != std::string_view::npos) {
    reader.Diagnose("developer-client file holds binary data: not parsed "
                    "(scanned as plain text)");
    return out;
  }
  using JsonReader = void (*)(const OrderedJson&, ClientReader*);
  JsonReader json_reader = nullptr;
  bool yaml = false;
  if (client == kPostman) {
    json_reader = ReadPostman;
  } else if (client == kInsomnia) {
    json_reader = ReadInsomnia;
    std::string_view t = Trim(content);
    yaml = !t.starts_with("{") && !t.starts_with("[");
  } else if (client == kMcp) {
    json_reader = ReadMcp;
  } else if (client == kDocker) {
    json_reader = ReadDocker;
  } else if (client == kKubeconfig) {
    json_reader = ReadKubeconfig;
    yaml = true;
  } else if (client == kGcloud) {
    json_reader = ReadGcloud;
  } else if (client == kAzureCli) {
    json_reader = ReadAzureCli;
  }
  if (json_reader != nullptr) {
    std::optional<OrderedJson> doc = yaml
                                         ? ParseYamlFile(content, limits, &reader)
                                         : ParseJsonFile(content, &reader);
    if (!doc) return out;
    json_reader(*doc, &reader);
    out.parsed = true;
    return out;
  }
  if (client == kBruno) {
    ReadBruno(&reader);
  } else if (client == kHttpFile) {
    ReadHttpFile(&reader);
  } else if (client == kNpm) {
    ReadNpmrc(&reader);
  } else if (client == kPypi) {
    ReadPypirc(&reader);
  } else if (client == kNetrc) {
    ReadNetrc(&reader);
  } else if (client == kAwsCli) {
    ReadAwsCli(&reader);
  } else {
    return out;
  }
  out.parsed = true;
  return out;
}

}  // namespace sprawl
