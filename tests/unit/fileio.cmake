ossd_unit_test(fileio_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/fileio_durable_file_test.cpp LIBS ossd_fileio)
