ossd_unit_test(crypto_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/crypto_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/crypto_crc64_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/crypto_keyed_mac_test.cpp
  LIBS ossd_crypto nlohmann_json::nlohmann_json)
