#pragma once
// Which blob store the server runs on, chosen by `--blob <spec>` (env OSSD_BLOB):
//
//   fs                       <data-dir>/objects, the embedded default
//   fs:<directory>           a filesystem store elsewhere: a second disk, or
//                            a POSIX directory several gateways share (NFS, CephFS)
//   rados:<key=value,...>    Ceph RADOS: pool, conf, user, namespace, chunk,
//                            timeout (blob/rados_blob_store.hpp)
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "blob/blob_store.hpp"
#include "blob/rados_blob_store.hpp"
#include "core/random.hpp"
#include "core/result.hpp"

namespace ossd::server {

enum class BlobBackend { Filesystem, Rados };

struct BlobSpec {
  BlobBackend backend = BlobBackend::Filesystem;
  std::filesystem::path directory;  // Filesystem: empty = <data-dir>/objects
  blob::RadosBlobStoreOptions rados;
};

// Pure. InvalidArgument for anything but the three forms above.
Result<BlobSpec> parse_blob_spec(std::string_view spec);

// What the log calls the store: "fs <path>" or "rados pool=<pool> ...".
std::string describe_blob_store(const BlobSpec& spec, const std::filesystem::path& data_dir);

Result<std::unique_ptr<blob::BlobStore>> open_blob_store(const BlobSpec& spec, const std::filesystem::path& data_dir,
                                                         Random& random);

}  // namespace ossd::server
