// Lines -> audit events -> detections, for `watch` (see audit_stream.hpp).
#include "runtime/audit_stream.hpp"

#include <fmt/format.h>

#include <chrono>

#include "audit/alert.hpp"
#include "audit/process/containers.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::runtime {

AuditStream::AuditStream(audit::Engine& engine, audit::AssemblerOptions opts)
    : engine_(engine),
      reader_(
          opts, stats_,
          [this](audit::Event&& ev) {
            std::string id = audit::event_id(ev);
            if (!skip_id_.empty() && id == skip_id_) {
              skip_id_.clear();
              return true;
            }
            ++events_;
            engine_.on_event(ev);
            last_event_id_ = std::move(id);
            return true;
          },
          [this](const audit::BadLine& b) { engine_.on_broken(b.file, b.line, b.message); }) {}

void AuditStream::line(std::string_view text, const std::string& file, uint64_t line_no) {
  reader_.set_file(file);
  if (reader_.line(text, line_no) != audit::LineReader::Kind::Record) return;
  // The live clock runs on from the time of the last record read, and only while the log is
  // quiet: a record restarts the quiet time, and one older than the clock (logs replayed out of
  // order, a node catching up) holds it where it is until the log moves past it again, as the
  // offline hunt does. Otherwise the detections would close the swap loops and copies of the
  // older part while their events are still coming.
  last_log_ms_ = reader_.record().sec * 1000 + reader_.record().msec;
  last_read_ms_ = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now().time_since_epoch())
                                            .count());
  audit::Assembler& assembler = reader_.assembler();
  if (assembler.records_added() >= next_sweep_) {
    assembler.flush_untouched(assembler.records_added() - kQuietRecords);
    next_sweep_ = assembler.records_added() + kQuietRecords / 2;
  }
}

void AuditStream::long_line(std::string_view head, const std::string& file, uint64_t line_no, size_t max_line) {
  reader_.set_file(file);
  reader_.long_line(head, line_no, max_line);
}

void AuditStream::flush() { reader_.assembler().flush_all(); }

void AuditStream::tick(uint64_t steady_ms) {
  if (steady_ms >= mark_ms_ + kQuietMs) {
    reader_.assembler().flush_untouched(mark_);
    mark_ = reader_.assembler().records_added();
    mark_ms_ = steady_ms;
  }
  if (last_log_ms_ && steady_ms >= last_read_ms_) {
    uint64_t now = last_log_ms_ + (steady_ms - last_read_ms_);
    // Not past an event the assembler still holds (a burst read ahead of its completion).
    if (auto oldest = reader_.assembler().oldest_in_flight_ms()) now = std::min(now, *oldest);
    engine_.advance_time(now);
  }
}

void ContainerFeed::push(const nlohmann::json& j, const std::string& host_root) {
  Identity id;
  if (!j.is_object()) return;
  if (auto it = j.find("Id"); it != j.end() && it->is_string()) id.id = *it;
  if (auto it = j.find("Name"); it != j.end() && it->is_string()) {
    id.name = *it;
    if (!id.name.empty() && id.name.front() == '/') id.name.erase(0, 1);
  }
  // overlay2: GraphDriver.Data.MergedDir = /var/lib/docker/overlay2/<layer>/merged
  if (auto g = j.find("GraphDriver"); g != j.end() && g->is_object())
    if (auto d = g->find("Data"); d != g->end() && d->is_object())
      if (auto m = d->find("MergedDir"); m != d->end() && m->is_string())
        if (auto layer = audit::storage_layer_of(m->get<std::string>())) id.layer = *layer;
  // vfs: inspect shows no path; the container's directory under /var/lib/docker/vfs/dir/ is
  // named by its mount id, which the layer store keeps beside the container id.
  if (id.layer.empty() && audit::is_container_id(id.id))
    if (auto g = j.find("GraphDriver"); g != j.end() && g->is_object() && g->value("Name", "") == "vfs") {
      std::string root = host_root == "/" ? std::string() : host_root;
      auto mount = safeio::read_file(root + "/var/lib/docker/image/vfs/layerdb/mounts/" + id.id + "/mount-id", 256);
      if (mount) {
        std::string m = *mount;
        while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
        if (audit::is_container_id(m)) id.layer = m;  // 64 hex digits, as the directory's name
      }
    }
  if (id.id.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.size() < 10000) pending_.push_back(std::move(id));
}

void ContainerFeed::apply(audit::Engine& engine) {
  std::vector<Identity> todo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    todo.swap(pending_);
  }
  auto& reg = engine.context().containers;
  for (const auto& i : todo) {
    std::string ida = reg.add(audit::ContainerRegistry::id_alias(i.id));
    if (!i.name.empty()) reg.link(ida, reg.add(audit::ContainerRegistry::name_alias(i.name)));
    if (!i.layer.empty()) reg.link(ida, reg.add(audit::ContainerRegistry::layer_alias(i.layer)));
  }
}

}  // namespace tocsin::runtime
