ossd_unit_test(http_exchange_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/http_exchange_test.cpp LIBS ossd_http)
ossd_unit_test(http_server_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/http_server_test.cpp LIBS ossd_http)
ossd_unit_test(http_tls_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/http_tls_test.cpp LIBS ossd_http OpenSSL::SSL OpenSSL::Crypto)
ossd_unit_test(http_forwarded_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/http_forwarded_test.cpp LIBS ossd_http)
