# One INTERFACE target carries the project's warnings and sanitizer flags; every target links it.
add_library(allowdrift_cxx_settings INTERFACE)
target_compile_features(allowdrift_cxx_settings INTERFACE cxx_std_20)
target_compile_options(allowdrift_cxx_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports a false -Wmismatched-new-delete inside Asio coroutine frames (GCC PR 109224).
  # At -O2/-O3 GCC 12 also reports a false -Wrestrict inside inlined std::string operator+ (GCC PR 105329).
  # (-Wnull-dereference is left out altogether: GCC 12 raises it on boost::system::result in Release builds.)
  target_compile_options(allowdrift_cxx_settings INTERFACE -Wno-mismatched-new-delete -Wno-restrict)
endif()
if(ALLOWDRIFT_WERROR)
  target_compile_options(allowdrift_cxx_settings INTERFACE -Werror)
endif()
if(ALLOWDRIFT_SANITIZE)
  set(_allowdrift_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(allowdrift_cxx_settings INTERFACE ${_allowdrift_san})
  target_link_options(allowdrift_cxx_settings INTERFACE ${_allowdrift_san})
endif()
