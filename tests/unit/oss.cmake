ossd_unit_test(oss_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/oss_error_table_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/oss_addressing_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/oss_names_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/oss_range_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/oss_preconditions_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/oss_xml_requests_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/oss_xml_responses_test.cpp
  LIBS ossd_oss pugixml::pugixml nlohmann_json::nlohmann_json)
