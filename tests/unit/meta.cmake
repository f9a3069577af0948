ossd_unit_test(meta_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/meta_store_conformance_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/meta_sqlite_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/meta_listing_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/meta_append_rule_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/meta_sqlite_codec_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/meta_pg_codec_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/meta_pg_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pg_test_cluster.cpp
  LIBS ossd_meta Threads::Threads)

ossd_unit_test(service_orphan_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/service_orphan_collector_test.cpp
  LIBS ossd_service ossd_meta ossd_blob)

# The SignatureNonce ledger gateways share through PostgreSQL (issue #7).
ossd_unit_test(meta_pg_nonce_ledger_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/meta_pg_nonce_ledger_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pg_test_cluster.cpp
  LIBS ossd_meta Threads::Threads)

# Which of several gateways runs the background jobs (issue #7).
ossd_unit_test(meta_pg_leader_election_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/meta_pg_leader_election_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pg_test_cluster.cpp
  LIBS ossd_meta Threads::Threads)
