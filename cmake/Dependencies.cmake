# Every library comes from Debian 12's packages (tools/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(date REQUIRED)
find_package(Boost 1.74 REQUIRED)  # headers only: Asio and Beast
find_package(tomlplusplus 3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# zint ships no pkg-config file or CMake package.
find_library(ZINT_LIBRARY zint REQUIRED)
find_path(ZINT_INCLUDE_DIR zint.h REQUIRED)
add_library(onecard_zint INTERFACE)
target_link_libraries(onecard_zint INTERFACE ${ZINT_LIBRARY})
target_include_directories(onecard_zint SYSTEM INTERFACE ${ZINT_INCLUDE_DIR})
