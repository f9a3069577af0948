# zlib: the tests forge PNG headers (a decompression bomb's IHDR needs a valid CRC-32).
find_package(ZLIB REQUIRED)
ossd_unit_test(image_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/image_process_spec_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/image_processor_test.cpp
  LIBS ossd_image PkgConfig::VIPS nlohmann_json::nlohmann_json ZLIB::ZLIB)

# x-oss-process over HTTP (helper imgapi): derived-image cache, bounded image pool, styles and sys/saveas pieces.
ossd_unit_test(image_api_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/api_image_cache_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/api_image_pool_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/api_image_style_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/api_image_config_test.cpp
  LIBS ossd_api ossd_server)
