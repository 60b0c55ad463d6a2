// Applying automatic fixes: text edits on a source file, and a unified diff of the result.
#pragma once
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/source.hpp"

namespace tocsin::iac {

// Applies non-overlapping edits (later overlapping ones are dropped and counted in `skipped`).
std::string apply_edits(const SourceFile& src, const std::vector<TextEdit>& edits, size_t* skipped = nullptr);

// A unified diff (3 lines of context) between two versions of `path`; empty when equal.
std::string unified_diff(const std::string& path, std::string_view before, std::string_view after);

}  // namespace tocsin::iac
