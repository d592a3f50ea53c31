# Warnings live on an interface target that every project target links, not in global flags,
# so third-party headers and imported targets are unaffected.
add_library(onecard_warnings INTERFACE)
target_compile_options(onecard_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Wformat=2 -Wmisleading-indentation)
# Not -Wnull-dereference: with GCC 12 at -O3 it fires inside libstdc++'s own containers.
if(ONECARD_WARNINGS_AS_ERRORS)
  target_compile_options(onecard_warnings INTERFACE -Werror)
endif()
# Bounds-checked standard containers in debug builds; assertions (ONECARD_ASSERT) are on always.
target_compile_definitions(onecard_warnings INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
# GCC 12 at -O2/-O3 reports a false -Wrestrict for `"literal" + std::string` inside libstdc++
# (GCC bug 105329, fixed in GCC 13); it would break every release build under -Werror.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(onecard_warnings INTERFACE -Wno-restrict)
endif()
