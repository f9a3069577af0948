#pragma once
// Moving a whole deployment between backends (`ossd migrate`, issue #7):
// every bucket with its settings, every object and in-progress multipart
// upload with its parts, and the account's identities (users, access keys,
// groups, roles, policies with their versions, attachments, the STS key
// ring), from one set of stores into another that is empty. Blob bytes are
// copied into the target blob store under new ids and the records are
// rewritten to name them; everything else is copied exactly (ETags, sizes,
// times, ACLs, user metadata, sealed secrets).
//
// Written against the store interfaces only, so any pair of backends works
// (SQLite + files to PostgreSQL + files, or + RADOS once it exists) and the
// tests run on whatever stores they like. Nothing else may write either side
// while this runs: stop every gateway first.
#include <cstdint>
#include <string>
#include <vector>

#include "blob/blob_store.hpp"
#include "core/result.hpp"
#include "meta/identity_store.hpp"
#include "meta/metadata_store.hpp"

namespace ossd::service {

// One deployment's stores.
struct Deployment {
  meta::MetadataStore& metadata;
  meta::IdentityStore& identity;
  blob::BlobStore& blobs;
};

// What a deployment holds, as copied or as verified.
struct DeploymentCounts {
  uint64_t buckets = 0;
  uint64_t bucket_configs = 0;  // CORS, policy, lifecycle, styles... documents
  uint64_t objects = 0;
  uint64_t object_bytes = 0;
  uint64_t uploads = 0;  // in-progress multipart uploads
  uint64_t parts = 0;
  uint64_t part_bytes = 0;
  uint64_t blobs = 0;  // distinct blobs (objects may share one)
  uint64_t users = 0;
  uint64_t access_keys = 0;
  uint64_t groups = 0;
  uint64_t group_memberships = 0;
  uint64_t roles = 0;
  uint64_t policies = 0;
  uint64_t policy_versions = 0;
  uint64_t attachments = 0;
  uint64_t token_keys = 0;

  bool operator==(const DeploymentCounts&) const = default;
};

// "buckets 2, bucket configs 3, objects 10 (1234 bytes), ..." for the report.
std::string describe_counts(const DeploymentCounts& counts);

// Conflict (with a message naming what was found) unless the target holds no
// bucket, no identity record, no STS key and no blob.
Status check_target_empty(Deployment& target);

// Copies everything from source into target. Stops at the first failure and
// returns it; the target then holds a partial copy that must be cleared
// before another attempt.
Result<DeploymentCounts> copy_deployment(Deployment& source, Deployment& target);

struct VerifyReport {
  DeploymentCounts source;              // walked from the source
  DeploymentCounts target;              // walked from the target
  std::vector<std::string> mismatches;  // at most kMaxReportedMismatches, first found first
  uint64_t mismatch_count = 0;

  bool ok() const { return mismatch_count == 0; }
};

inline constexpr size_t kMaxReportedMismatches = 100;

// Walks the source again and compares every record with the target's (blob
// ids aside), re-reads the bytes of every object and part on both sides
// comparing their MD5 (and a simple object's MD5 with its ETag), and counts
// both sides so extra records in the target show up too. An Error only when a
// store fails; differences are the report's mismatches.
Result<VerifyReport> verify_deployment(Deployment& source, Deployment& target);

}  // namespace ossd::service
