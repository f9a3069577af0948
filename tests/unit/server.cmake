ossd_unit_test(server_config_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/server_config_test.cpp LIBS ossd_server)
ossd_unit_test(server_root_key_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/server_root_key_test.cpp LIBS ossd_server)
ossd_unit_test(server_identity_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/server_identity_test.cpp LIBS ossd_server)
ossd_unit_test(server_data_dir_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/server_data_dir_test.cpp LIBS ossd_server)
