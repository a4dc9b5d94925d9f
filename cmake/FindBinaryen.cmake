# Finds Binaryen's C API (Debian ships libbinaryen.so and binaryen-c.h, no CMake package).
# Defines Binaryen_FOUND, the imported target Binaryen::Binaryen (the library),
# and Binaryen::Headers (binaryen-c.h only: lib/opt loads the library itself).
find_path(Binaryen_INCLUDE_DIR binaryen-c.h)
find_library(Binaryen_LIBRARY NAMES binaryen PATH_SUFFIXES binaryen)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Binaryen REQUIRED_VARS Binaryen_LIBRARY Binaryen_INCLUDE_DIR)

if(Binaryen_FOUND AND NOT TARGET Binaryen::Binaryen)
  add_library(Binaryen::Binaryen SHARED IMPORTED)
  set_target_properties(Binaryen::Binaryen PROPERTIES
    IMPORTED_LOCATION "${Binaryen_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Binaryen_INCLUDE_DIR}")
  add_library(Binaryen::Headers INTERFACE IMPORTED)
  set_target_properties(Binaryen::Headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Binaryen_INCLUDE_DIR}")
endif()
mark_as_advanced(Binaryen_INCLUDE_DIR Binaryen_LIBRARY)
