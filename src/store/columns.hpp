// The store's tables and the columns of each: one list that both the DDL (schema.cpp) and the
// row encoders (rows.cpp, checked by a unit test) follow.
#pragma once
#include <cstdint>
#include <vector>

namespace tocsin::store {

enum class Table : uint8_t { Alerts, Copies, Loops, HelperExecs, RuntimeWrites, Coverage };
inline constexpr Table kTables[] = {Table::Alerts,      Table::Copies,        Table::Loops,
                                    Table::HelperExecs, Table::RuntimeWrites, Table::Coverage};
const char* table_name(Table t);  // "alerts", "copies", …

struct Column {
  const char* name;
  const char* type;
};

const std::vector<Column>& columns_of(Table t);

}  // namespace tocsin::store
