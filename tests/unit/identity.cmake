ossd_unit_test(identity_store_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/identity_store_test.cpp
  LIBS ossd_meta Threads::Threads)
