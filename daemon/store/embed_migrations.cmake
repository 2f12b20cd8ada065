# Writes a C++ source holding every migrations/NNNN_name.sql as a string, in version order.
# Called at build time: cmake -DMIGRATIONS_DIR=... -DOUTPUT=... -P embed_migrations.cmake
file(GLOB _files RELATIVE ${MIGRATIONS_DIR} ${MIGRATIONS_DIR}/*.sql)
list(SORT _files)
set(_body "")
set(_previous 0)
foreach(_file IN LISTS _files)
  if(NOT _file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migrations/${_file}: expected NNNN_name.sql (lowercase name)")
  endif()
  math(EXPR _version "${CMAKE_MATCH_1} + 0")
  set(_name ${CMAKE_MATCH_2})
  math(EXPR _expected "${_previous} + 1")
  if(NOT _version EQUAL _expected)
    message(FATAL_ERROR "migrations/${_file}: version ${_version} follows ${_previous}; versions must be consecutive")
  endif()
  set(_previous ${_version})
  file(READ ${MIGRATIONS_DIR}/${_file} _sql)
  if(_sql MATCHES "\\)allowdrift_sql\"")
    message(FATAL_ERROR "migrations/${_file} contains the raw-string delimiter )allowdrift_sql\"")
  endif()
  string(APPEND _body "    {${_version}, \"${_name}\", R\"allowdrift_sql(${_sql})allowdrift_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from migrations/ by daemon/store/embed_migrations.cmake. Do not edit.
#include \"store/migrations.h\"

#include <array>

namespace allowdrift::store {
namespace {
constexpr std::array<Migration, ${_previous}> kMigrations{{
${_body}}};
}  // namespace

std::span<const Migration> embedded_migrations() { return kMigrations; }

}  // namespace allowdrift::store
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
