ossd_unit_test(auth_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/auth_signing_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth_authenticate_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth_v1_vectors_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth_v4_vectors_test.cpp
  LIBS ossd_auth nlohmann_json::nlohmann_json)
