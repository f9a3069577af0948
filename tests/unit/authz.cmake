# Authorization: the Authorizer on a real SQLite identity store, request
# facts, System policies, bucket-policy documents and their cache.
ossd_unit_test(authz_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/authz_authorizer_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/authz_facts_test.cpp
  LIBS ossd_iam ossd_api ossd_meta Threads::Threads)
