ossd_unit_test(core_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/core_strings_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/core_time_format_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/core_buffer_pool_test.cpp
  LIBS ossd_core)
