// The columns of each store table: one list that both the DDL (schema.cpp) and the row
// encoders (rows.cpp, checked by a unit test) follow.
#pragma once
#include <vector>

#include "store/schema.hpp"

namespace tocsin::store {

struct Column {
  const char* name;
  const char* type;
};

const std::vector<Column>& columns_of(Table t);

}  // namespace tocsin::store
