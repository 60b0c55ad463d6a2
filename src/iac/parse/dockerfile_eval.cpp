// Docker word expansion and per-instruction build state (ARG/ENV scoping, WORKDIR, USER,
// VOLUME), following BuildKit's rules for global ARGs and stage inheritance.
#include "iac/parse/dockerfile_eval.hpp"

#include <cctype>

namespace tocsin::df {
namespace {

constexpr int kMaxNesting = 64;

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Expander {
 public:
  Expander(std::string_view s, const VarMap& vars, char esc) : s_(s), vars_(vars), esc_(esc) {}

  // Processes until `stop` (not consumed) or the end; `stop` 0 means the end only.
  std::string process(char stop, int nesting) {
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (stop != 0 && c == stop) break;
      if (c == esc_) {
        if (i_ + 1 < s_.size()) {
          out += s_[i_ + 1];
          i_ += 2;
        } else {
          out += c;
          ++i_;
        }
      } else if (c == '\'') {
        ++i_;
        while (i_ < s_.size() && s_[i_] != '\'') out += s_[i_++];
        if (i_ < s_.size()) ++i_;
      } else if (c == '"') {
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
          char d = s_[i_];
          if (d == esc_ && i_ + 1 < s_.size() &&
              (s_[i_ + 1] == '"' || s_[i_ + 1] == '$' || s_[i_ + 1] == esc_)) {
            out += s_[i_ + 1];
            i_ += 2;
          } else if (d == '$') {
            out += dollar(nesting);
          } else {
            out += d;
            ++i_;
          }
        }
        if (i_ < s_.size()) ++i_;
      } else if (c == '$') {
        out += dollar(nesting);
      } else {
        out += c;
        ++i_;
      }
    }
    return out;
  }

 private:
  const std::string* lookup(std::string_view name) const {
    auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : &it->second;
  }

  // At '$'.
  std::string dollar(int nesting) {
    ++i_;
    if (i_ >= s_.size()) return "$";
    char c = s_[i_];
    if (c == '{') {
      ++i_;
      size_t nb = i_;
      while (i_ < s_.size() && name_char(s_[i_])) ++i_;
      std::string name(s_.substr(nb, i_ - nb));
      if (i_ >= s_.size()) return {};  // unterminated: Docker errors; expand to nothing
      if (s_[i_] == '}') {
        ++i_;
        const std::string* v = lookup(name);
        return v ? *v : std::string();
      }
      bool colon = false;
      if (s_[i_] == ':') {
        colon = true;
        ++i_;
      }
      char op = i_ < s_.size() ? s_[i_] : '\0';
      if (op == '-' || op == '+' || op == '?') ++i_;
      std::string word;
      if (nesting < kMaxNesting) {
        word = process('}', nesting + 1);
      } else {
        while (i_ < s_.size() && s_[i_] != '}') word += s_[i_++];
      }
      if (i_ < s_.size()) ++i_;  // '}'
      const std::string* v = lookup(name);
      bool set = v != nullptr && (!colon || !v->empty());
      switch (op) {
        case '-':
          return set ? *v : word;
        case '+':
          return set ? word : std::string();
        case '?':
          return set ? *v : std::string();
        default:
          return v ? *v : std::string();  // other operators (%, #, /): keep the value
      }
    }
    if (name_char(c)) {
      size_t nb = i_;
      while (i_ < s_.size() && name_char(s_[i_])) ++i_;
      const std::string* v = lookup(s_.substr(nb, i_ - nb));
      return v ? *v : std::string();
    }
    return "$";
  }

  std::string_view s_;
  const VarMap& vars_;
  char esc_;
  size_t i_ = 0;
};

VarMap merged(const VarMap& args, const VarMap& env) {
  VarMap v = args;
  for (const auto& [k, val] : env) v[k] = val;
  return v;
}

}  // namespace

std::string expand(std::string_view word, const VarMap& vars, char escape) {
  Expander e(word, vars, escape);
  return e.process(0, 0);
}

std::string resolve_path(std::string_view path, std::string_view workdir) {
  std::string joined;
  if (!path.empty() && path[0] == '/') {
    joined = std::string(path);
  } else {
    joined = std::string(workdir.empty() ? std::string_view("/") : workdir);
    joined += '/';
    joined += path;
  }
  std::vector<std::string_view> parts;
  std::string_view j = joined;
  size_t i = 0;
  while (i < j.size()) {
    while (i < j.size() && j[i] == '/') ++i;
    size_t b = i;
    while (i < j.size() && j[i] != '/') ++i;
    std::string_view part = j.substr(b, i - b);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

std::vector<InstructionState> evaluate(const Dockerfile& df) {
  std::vector<InstructionState> states(df.instructions.size());
  VarMap meta;  // global ARGs before the first FROM
  std::vector<InstructionState> stage_end(df.stages.size());
  InstructionState cur;
  int cur_stage = -1;
  const char esc = df.escape;

  for (size_t idx = 0; idx < df.instructions.size(); ++idx) {
    const Instruction& ins = df.instructions[idx];
    if (ins.kind == Kind::From && ins.stage >= 0 && ins.stage != cur_stage) {
      if (cur_stage >= 0 && static_cast<size_t>(cur_stage) < stage_end.size()) {
        stage_end[static_cast<size_t>(cur_stage)] = cur;
      }
      cur_stage = ins.stage;
      const Stage& st = df.stages[static_cast<size_t>(cur_stage)];
      InstructionState next;
      if (st.base_stage >= 0 && st.base_stage < cur_stage) {
        const InstructionState& base = stage_end[static_cast<size_t>(st.base_stage)];
        next.env = base.env;
        next.workdir = base.workdir;
        next.workdir_set = base.workdir_set;
        next.relative_workdir_without_base = base.relative_workdir_without_base;
        next.user = base.user;
        next.volumes = base.volumes;
      }
      next.stage = cur_stage;
      next.base_stage = st.base_stage;
      InstructionState at_from = next;
      at_from.args = meta;
      at_from.vars = meta;
      states[idx] = at_from;
      next.vars = merged(next.args, next.env);
      cur = std::move(next);
      continue;
    }
    if (cur_stage < 0) {
      // Global scope: only ARG matters; its values feed FROM lines and later redeclarations.
      InstructionState g;
      g.args = meta;
      g.vars = meta;
      states[idx] = g;
      if (ins.kind == Kind::Arg) {
        for (const auto& kv : ins.pairs) {
          if (kv.value) meta[kv.key] = expand(kv.raw_value, meta, esc);
        }
      }
      continue;
    }
    states[idx] = cur;
    switch (ins.kind) {
      case Kind::Arg:
        for (const auto& kv : ins.pairs) {
          if (kv.value) {
            cur.args[kv.key] = expand(kv.raw_value, cur.vars, esc);
          } else if (auto it = meta.find(kv.key); it != meta.end()) {
            cur.args[kv.key] = it->second;
          }
        }
        break;
      case Kind::Env: {
        // All pairs of one ENV see the values from before the instruction.
        const VarMap before = cur.vars;
        for (const auto& kv : ins.pairs) {
          if (kv.value) cur.env[kv.key] = expand(kv.raw_value, before, esc);
        }
        break;
      }
      case Kind::Workdir: {
        std::string path =
            ins.rest.empty() ? std::string() : expand(ins.rest.text(), cur.vars, esc);
        if (!path.empty() && path[0] != '/' && !cur.workdir_set) {
          cur.relative_workdir_without_base = true;
        }
        cur.workdir = resolve_path(path, cur.workdir);
        cur.workdir_set = true;
        break;
      }
      case Kind::User:
        if (!ins.args.empty()) cur.user = expand(ins.args[0].raw, cur.vars, esc);
        break;
      case Kind::Volume:
        for (const auto& w : ins.args) {
          std::string p = ins.json_form ? w.text : expand(w.raw, cur.vars, esc);
          if (!p.empty()) cur.volumes.push_back(resolve_path(p, cur.workdir));
        }
        break;
      default:
        break;
    }
    cur.vars = merged(cur.args, cur.env);
  }
  return states;
}

}  // namespace tocsin::df
