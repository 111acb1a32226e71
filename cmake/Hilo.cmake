# Shared helpers for hilo modules.
find_package(GTest REQUIRED)
include(GoogleTest)

# hilo_add_test(NAME src... DEPS dep...)
# One gtest binary per module; tests are discovered so ctest lists each case.
function(hilo_add_test name)
  cmake_parse_arguments(ARG "" "" "DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(${name} PRIVATE HILO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set(labels "${ARG_LABELS}")
  if(NOT labels)
    set(labels "unit")
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${labels}"
               ENVIRONMENT "HILO_SOURCE_DIR=${PROJECT_SOURCE_DIR};HILO_BINARY_DIR=${PROJECT_BINARY_DIR}"
    DISCOVERY_TIMEOUT 30)
endfunction()

# hilo_add_library(NAME src... DEPS dep... PRIVATE_DEPS dep...)
function(hilo_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
