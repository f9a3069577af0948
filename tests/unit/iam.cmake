# RAM/STS services, credentials, secrets and the RPC front end (issue #4), on
# real SQLite identity stores in temporary directories.
ossd_unit_test(iam_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/iam_primitives_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_nonce_cache_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_credential_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_sts_service_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_sts_cache_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_generation_watch_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_identity_service_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/iam_rpc_request_test.cpp
  LIBS ossd_iam ossd_api ossd_meta nlohmann_json::nlohmann_json Threads::Threads)
