# find_package(wasmiot) for firmware projects: the wasmiot executable, the
# device library built from its sources with the firmware's own toolchain
# (wasmiot::device), and wasmiot_add_module(), which builds a module project
# for one AOT target and gives a static library target to link.
#
#   find_package(wasmiot REQUIRED)
#   wasmiot_add_module(thermostat PROJECT_DIR ${CMAKE_CURRENT_SOURCE_DIR}/module TARGET cortex-m4f)
#   target_link_libraries(firmware PRIVATE thermostat wasmiot::device)
#
# Installed as <prefix>/share/wasmiot/cmake/wasmiotConfig.cmake.
cmake_minimum_required(VERSION 3.25)
get_filename_component(_wasmiot_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(WASMIOT_EXECUTABLE "${_wasmiot_prefix}/bin/wasmiot" CACHE FILEPATH "The wasmiot executable")
set(WASMIOT_DEVICE_DIR "${_wasmiot_prefix}/share/wasmiot/device")
if(NOT EXISTS "${WASMIOT_EXECUTABLE}")
  set(wasmiot_FOUND FALSE)
  set(wasmiot_NOT_FOUND_MESSAGE "no wasmiot executable at ${WASMIOT_EXECUTABLE}")
  return()
endif()

if(NOT TARGET wasmiot::device)
  add_subdirectory("${WASMIOT_DEVICE_DIR}" "${CMAKE_BINARY_DIR}/wasmiot-device" EXCLUDE_FROM_ALL)
  add_library(wasmiot::device ALIAS wasmiot_device)
endif()

# wasmiot_add_module(NAME PROJECT_DIR DIR TARGET T)
# Builds the project in DIR (its wasmiot.json) for target T into the build tree
# at build time (`wasmiot build --target T --build-dir ...`: checked against its
# device, optimized, tested, compiled ahead of time; a no-op when nothing
# changed) and makes NAME a library target: the module's static library and the
# folder of its generated header (NAME.h, wasm-rt.h and the runtime's header),
# plus the glue of `wasmiot gen host --lang wasm2c` (wasmiot_wasm2c.h, and its
# .c as an interface source): the firmware implements the typed host functions.
function(wasmiot_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PROJECT_DIR;TARGET" "")
  if(NOT arg_PROJECT_DIR OR NOT arg_TARGET)
    message(FATAL_ERROR "wasmiot_add_module(${name} PROJECT_DIR DIR TARGET T): both are required")
  endif()
  get_filename_component(project_dir "${arg_PROJECT_DIR}" ABSOLUTE)
  if(NOT EXISTS "${project_dir}/wasmiot.json")
    message(FATAL_ERROR "wasmiot_add_module(${name}): no wasmiot.json in ${project_dir} (make one with `wasmiot new`)")
  endif()
  file(READ "${project_dir}/wasmiot.json" project_json)
  string(JSON module_name GET "${project_json}" name)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${project_dir}/wasmiot.json")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/wasmiot/${name}")
  set(aot "${out}/aot/${arg_TARGET}")
  set(library "${aot}/lib${module_name}.a")
  string(JSON manifest ERROR_VARIABLE no_manifest GET "${project_json}" manifest)
  get_filename_component(manifest "${manifest}" ABSOLUTE BASE_DIR "${project_dir}")
  set(glue "${out}/glue")
  # Always run: wasmiot build itself skips every step whose inputs did not
  # change. Then the firmware's glue for the module (docs/gen.md): the import
  # functions wasm2c calls, checking buffers, and typed calls of the exports.
  add_custom_target(${name}_wasmiot_build
    COMMAND "${WASMIOT_EXECUTABLE}" build "${project_dir}" --target "${arg_TARGET}" --build-dir "${out}" -q
    COMMAND "${WASMIOT_EXECUTABLE}" gen host --lang wasm2c --name "${module_name}" --manifest "${manifest}"
            --module "${out}/${module_name}.wasm" -o "${glue}" -q
    BYPRODUCTS "${library}" "${glue}/wasmiot_wasm2c.c" "${glue}/wasmiot_wasm2c.h"
    COMMENT "wasmiot build ${arg_PROJECT_DIR} --target ${arg_TARGET}"
    VERBATIM)
  file(MAKE_DIRECTORY "${aot}" "${glue}")
  add_library(${name} INTERFACE)
  target_include_directories(${name} INTERFACE "${aot}" "${glue}")
  target_sources(${name} INTERFACE "${glue}/wasmiot_wasm2c.c")
  target_link_libraries(${name} INTERFACE "${library}")
  add_dependencies(${name} ${name}_wasmiot_build)
endfunction()
