// DisplaySafe: the copy of a report the human formats render (text, csv,
// markdown, junit, github), with every string that may come from a scanned
// repository or its inventory passed through EscapeControls, so no ESC, C0
// or C1 byte (OSC 52 clipboard writes, OSC 8 hidden links, CSI cursor
// moves) reaches a terminal, a CI log or a spreadsheet. Paths and repository
// keys are left raw: each reporter escapes them with EscapeForDisplay, once,
// which also keeps a real newline and a typed `\n` apart.
#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

void Safe(std::string* s) {
  if (!s->empty()) *s = EscapeControls(*s);
}
void Safe(std::optional<std::string>* s) {
  if (*s) Safe(&**s);
}
void Safe(std::vector<std::string>* v) {
  for (std::string& s : *v) Safe(&s);
}

void SafeLocation(Location* l) {
  if (l->git) {
    GitProvenance& g = *l->git;
    for (std::string* s :
         {&g.commit, &g.author, &g.author_email, &g.date, &g.summary, &g.blob}) {
      Safe(s);
    }
    Safe(&g.refs);
  }
  if (l->pipeline) {
    Safe(&l->pipeline->system);
    Safe(&l->pipeline->key_path);
    Safe(&l->pipeline->job);
  }
}

}  // namespace

Report DisplaySafe(const Report& report) {
  Report r = report;
  for (ReportedCredential& c : r.credentials) {
    for (std::string* s :
         {&c.rule, &c.rule_name, &c.provider, &c.category, &c.confidence,
          &c.confidence_reason, &c.redacted, &c.status, &c.reason,
          &c.environment}) {
      Safe(s);
    }
    Safe(&c.secret);
    Safe(&c.inventory_id);
    Safe(&c.owner);
    Safe(&c.suggested_owner);
    Safe(&c.also_matched);
    for (Location& l : c.locations) SafeLocation(&l);
  }
  for (PipelineReference& p : r.references) {
    for (std::string* s : {&p.system, &p.key_path, &p.name, &p.status}) {
      Safe(s);
    }
  }
  for (PipelineFindingEntry& p : r.pipeline_findings) {
    for (std::string* s : {&p.kind, &p.key_path, &p.message}) Safe(s);
  }
  if (r.unseen) Safe(&*r.unseen);
  for (RepositoryEntry& e : r.repositories) {
    Safe(&e.status);
    Safe(&e.error);
  }
  for (RuleInfo& i : r.rules) {
    for (std::string* s :
         {&i.id, &i.name, &i.provider, &i.category, &i.confidence}) {
      Safe(s);
    }
    Safe(&i.references);
  }
  return r;
}

}  // namespace sprawl
