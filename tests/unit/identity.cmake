ossd_unit_test(identity_store_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/identity_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/identity_pg_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pg_test_cluster.cpp
  LIBS ossd_meta Threads::Threads)
