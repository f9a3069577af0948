ossd_unit_test(service_unit_tests
  SOURCES service_multipart_test.cpp
  LIBS ossd_service)
ossd_unit_test(service_migration_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/service_migration_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pg_test_cluster.cpp
  LIBS ossd_service ossd_meta ossd_blob ossd_crypto Threads::Threads)
