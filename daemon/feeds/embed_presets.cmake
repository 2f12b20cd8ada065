# Writes a C++ source holding every config/presets/*.toml as a string, in file-name order.
# Called at build time: cmake -DPRESETS_DIR=... -DOUTPUT=... -P embed_presets.cmake
file(GLOB _files RELATIVE ${PRESETS_DIR} ${PRESETS_DIR}/*.toml)
list(SORT _files)
list(LENGTH _files _count)
set(_body "")
foreach(_file IN LISTS _files)
  file(READ ${PRESETS_DIR}/${_file} _text)
  if(_text MATCHES "\\)allowdrift_toml\"")
    message(FATAL_ERROR "config/presets/${_file} contains the raw-string delimiter )allowdrift_toml\"")
  endif()
  string(APPEND _body "    {\"${_file}\", R\"allowdrift_toml(${_text})allowdrift_toml\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from config/presets/ by daemon/feeds/embed_presets.cmake. Do not edit.
#include \"feeds/preset.h\"

#include <array>

namespace allowdrift::feeds {
namespace {
constexpr std::array<PresetFile, ${_count}> kFiles{{
${_body}}};
}  // namespace

std::span<const PresetFile> embedded_preset_files() { return kFiles; }

}  // namespace allowdrift::feeds
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
