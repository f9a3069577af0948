ossd_unit_test(blob_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/blob_fs_store_test.cpp
  LIBS ossd_blob)
