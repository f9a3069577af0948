ossd_unit_test(policy_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/policy_parse_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policy_evaluate_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policy_wildcard_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policy_values_test.cpp
  LIBS ossd_policy)
