# Warnings live on an interface target that every project target links, not in global flags,
# so third-party headers and imported targets are unaffected.
add_library(onecard_warnings INTERFACE)
target_compile_options(onecard_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  -Wformat=2 -Wmisleading-indentation)
if(ONECARD_WARNINGS_AS_ERRORS)
  target_compile_options(onecard_warnings INTERFACE -Werror)
endif()
# Bounds-checked standard containers in debug builds; assertions (ONECARD_ASSERT) are on always.
target_compile_definitions(onecard_warnings INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
