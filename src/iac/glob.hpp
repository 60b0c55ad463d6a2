// Path glob matching for ignore patterns: `*` (not across /), `**` (across /), `?`, `[...]`.
#pragma once
#include <string_view>

namespace tocsin {

// Matches `path` (with '/' separators) against `pattern`. A pattern without '/' matches the
// last path component anywhere (like .gitignore); a trailing '/' matches a directory: at any depth
// when it is the only '/' (`vendor/` matches `sub/vendor/x`), anchored otherwise. A leading '/'
// anchors; `**/` matches zero or more directories.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace tocsin
