#include "server/blob_backend.hpp"

#include "blob/fs_blob_store.hpp"

namespace ossd::server {
namespace {

constexpr std::string_view kFilesystem = "fs";
constexpr std::string_view kFilesystemPrefix = "fs:";
constexpr std::string_view kRadosPrefix = "rados:";

std::filesystem::path filesystem_root(const BlobSpec& spec, const std::filesystem::path& data_dir) {
  return spec.directory.empty() ? data_dir / "objects" : spec.directory;
}

}  // namespace

Result<BlobSpec> parse_blob_spec(std::string_view spec) {
  BlobSpec parsed;
  if (spec == kFilesystem) return parsed;
  if (spec.starts_with(kFilesystemPrefix)) {
    const std::string_view directory = spec.substr(kFilesystemPrefix.size());
    if (directory.empty()) return Error(ErrorCode::InvalidArgument, "--blob fs: needs a directory after 'fs:'");
    parsed.directory = std::string(directory);
    return parsed;
  }
  if (spec.starts_with(kRadosPrefix)) {
    auto options = blob::parse_rados_options(spec.substr(kRadosPrefix.size()));
    if (!options) return std::move(options).error();
    parsed.backend = BlobBackend::Rados;
    parsed.rados = std::move(options).value();
    return parsed;
  }
  return Error(ErrorCode::InvalidArgument,
               "--blob must be 'fs', 'fs:<directory>' or 'rados:pool=<pool>,conf=<ceph.conf>,...'");
}

std::string describe_blob_store(const BlobSpec& spec, const std::filesystem::path& data_dir) {
  if (spec.backend == BlobBackend::Filesystem) return "fs " + filesystem_root(spec, data_dir).string();
  const blob::RadosBlobStoreOptions& o = spec.rados;
  std::string text = "rados pool=" + o.pool + " user=" + o.user;
  if (!o.rados_namespace.empty()) text += " namespace=" + o.rados_namespace;
  if (!o.conf_file.empty()) text += " conf=" + o.conf_file;
  text += " chunk=" + std::to_string(o.chunk_bytes) + " timeout=" + std::to_string(o.op_timeout.count()) + "s";
  return text;
}

Result<std::unique_ptr<blob::BlobStore>> open_blob_store(const BlobSpec& spec, const std::filesystem::path& data_dir,
                                                         Random& random) {
  if (spec.backend == BlobBackend::Rados) return blob::open_rados_blob_store(spec.rados, random);
  return blob::open_fs_blob_store(filesystem_root(spec, data_dir), random);
}

}  // namespace ossd::server
