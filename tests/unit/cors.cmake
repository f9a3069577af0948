# Bucket CORS: configuration codec, preflight / actual-request matching, routes.
ossd_unit_test(cors_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/api_cors_test.cpp
  LIBS ossd_oss ossd_api)
