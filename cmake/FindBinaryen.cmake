# Finds Binaryen's C API (Debian ships libbinaryen.so and binaryen-c.h, no CMake package).
# Defines Binaryen_FOUND and the imported target Binaryen::Binaryen.
find_path(Binaryen_INCLUDE_DIR binaryen-c.h)
find_library(Binaryen_LIBRARY NAMES binaryen PATH_SUFFIXES binaryen)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Binaryen REQUIRED_VARS Binaryen_LIBRARY Binaryen_INCLUDE_DIR)

if(Binaryen_FOUND AND NOT TARGET Binaryen::Binaryen)
  add_library(Binaryen::Binaryen SHARED IMPORTED)
  set_target_properties(Binaryen::Binaryen PROPERTIES
    IMPORTED_LOCATION "${Binaryen_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Binaryen_INCLUDE_DIR}")
endif()
mark_as_advanced(Binaryen_INCLUDE_DIR Binaryen_LIBRARY)
