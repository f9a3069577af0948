# PostObject and x-oss-traffic-limit: the form-data parser, the policy and its
# signatures (golden vectors), the form reader, response shapes, pacing.
ossd_unit_test(post_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/oss_form_data_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth_post_policy_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/api_post_test.cpp
  LIBS ossd_oss ossd_auth ossd_api nlohmann_json::nlohmann_json)
