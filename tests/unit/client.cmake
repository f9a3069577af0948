ossd_unit_test(client_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/client_signed_url_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/client_post_policy_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/client_request_signing_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/client_url_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/client_response_test.cpp
  LIBS ossd_client nlohmann_json::nlohmann_json)
ossd_unit_test(client_transport_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client_transport_test.cpp
  LIBS ossd_client ossd_http)
ossd_unit_test(client_cli_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/client_cli_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/client_cli_iam_test.cpp
  LIBS ossd_cli)
ossd_unit_test(client_rpc_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client_rpc_client_test.cpp
  LIBS ossd_client ossd_http nlohmann_json::nlohmann_json)
