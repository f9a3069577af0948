ossd_unit_test(api_unit_tests
  SOURCES api_operation_test.cpp api_bucket_cache_test.cpp api_health_test.cpp
  LIBS ossd_api)
