ossd_unit_test(blob_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/blob_fs_store_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/blob_rados_options_test.cpp
  LIBS ossd_blob)

# The BlobStore conformance suite runs the RADOS cases against a throwaway
# one-node Ceph cluster that ctest starts before it and stops after it.
ossd_unit_test(blob_conformance_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/blob_store_conformance_test.cpp
  LIBS ossd_blob)
set(OSSD_TEST_CEPH_DIR ${CMAKE_CURRENT_BINARY_DIR}/ceph-cluster)
set(OSSD_CEPH_SCRIPT ${PROJECT_SOURCE_DIR}/scripts/ceph-cluster.sh)
add_test(NAME ceph_cluster_up
  COMMAND sh -c "bash '${OSSD_CEPH_SCRIPT}' down '${OSSD_TEST_CEPH_DIR}' && bash '${OSSD_CEPH_SCRIPT}' up '${OSSD_TEST_CEPH_DIR}'")
add_test(NAME ceph_cluster_down COMMAND bash ${OSSD_CEPH_SCRIPT} down ${OSSD_TEST_CEPH_DIR})
set_tests_properties(ceph_cluster_up PROPERTIES FIXTURES_SETUP ceph_cluster)
set_tests_properties(ceph_cluster_down PROPERTIES FIXTURES_CLEANUP ceph_cluster)
set_tests_properties(blob_conformance_tests PROPERTIES
  FIXTURES_REQUIRED ceph_cluster
  ENVIRONMENT OSSD_TEST_CEPH_CONF=${OSSD_TEST_CEPH_DIR}/ceph.conf)
