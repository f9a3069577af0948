ossd_unit_test(sts_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/sts_aead_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sts_session_token_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sts_rpc_signature_test.cpp
  LIBS ossd_auth nlohmann_json::nlohmann_json)
