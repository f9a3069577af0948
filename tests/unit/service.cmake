ossd_unit_test(service_unit_tests
  SOURCES service_multipart_test.cpp
  LIBS ossd_service)
