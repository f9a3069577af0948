#include "service/migration.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <utility>

#include "core/strings.hpp"
#include "crypto/hash.hpp"

namespace ossd::service {
namespace {

using meta::AccessKeyRecord;
using meta::AttachmentRecord;
using meta::BucketRecord;
using meta::GroupRecord;
using meta::ObjectRecord;
using meta::PartRecord;
using meta::PolicyRecord;
using meta::PolicyVersionRecord;
using meta::RoleRecord;
using meta::TokenKeyRecord;
using meta::UploadRecord;
using meta::UserRecord;

// Page sizes of the walks: large enough that the round trips do not matter,
// small enough that one page is a modest amount of memory.
constexpr uint32_t kPage = 1000;
constexpr size_t kCopyChunk = 1 << 20;
// The stores enforce the RAM limit of two keys per user on create; a copy
// must take whatever the source holds.
constexpr size_t kNoKeyLimit = static_cast<size_t>(-1);

constexpr const char* kPrincipalTypes[] = {"User", "Group", "Role"};

Error failed(const Error& error, const std::string& context) {
  return Error(error.code, context + ": " + error.message);
}

// ------------------------------------------------------------------ walks

Status for_each_bucket(meta::MetadataStore& store, const std::function<Status(const BucketRecord&)>& visit) {
  std::string marker;
  while (true) {
    bool truncated = false;
    auto page = store.list_all_buckets(marker, kPage, &truncated);
    if (!page) return failed(page.error(), "listing buckets");
    for (const auto& bucket : *page) {
      if (auto st = visit(bucket); !st) return st;
    }
    if (!truncated || page->empty()) return ok_status();
    marker = page->back().name;
  }
}

// Full records (get_object), in key order.
Status for_each_object(meta::MetadataStore& store, const std::string& bucket,
                       const std::function<Status(const ObjectRecord&)>& visit) {
  meta::ListQuery query;
  query.max_keys = kPage;
  while (true) {
    auto page = store.list_objects(bucket, query);
    if (!page) return failed(page.error(), "listing objects of bucket " + bucket);
    for (const auto& summary : page->objects) {
      auto object = store.get_object(bucket, summary.key);
      if (!object) return failed(object.error(), "reading object " + bucket + "/" + summary.key);
      if (auto st = visit(*object); !st) return st;
    }
    if (!page->truncated || page->next_marker.empty()) return ok_status();
    query.start_after = page->next_marker;
  }
}

Status for_each_upload(meta::MetadataStore& store, const std::string& bucket,
                       const std::function<Status(const UploadRecord&)>& visit) {
  meta::UploadListQuery query;
  query.max_uploads = kPage;
  while (true) {
    auto page = store.list_uploads(bucket, query);
    if (!page) return failed(page.error(), "listing multipart uploads of bucket " + bucket);
    for (const auto& listed : page->uploads) {
      auto upload = store.get_upload(bucket, listed.key, listed.upload_id);
      if (!upload) return failed(upload.error(), "reading multipart upload " + listed.upload_id);
      if (auto st = visit(*upload); !st) return st;
    }
    if (!page->truncated || page->uploads.empty()) return ok_status();
    query.key_marker = page->next_key_marker;
    query.upload_id_marker = page->next_upload_id_marker;
  }
}

Result<std::vector<PartRecord>> all_parts(meta::MetadataStore& store, const std::string& upload_id) {
  std::vector<PartRecord> parts;
  uint32_t marker = 0;
  while (true) {
    bool truncated = false;
    auto page = store.list_parts(upload_id, marker, kPage, &truncated);
    if (!page) return failed(page.error(), "listing parts of upload " + upload_id);
    parts.insert(parts.end(), page->begin(), page->end());
    if (!truncated || page->empty()) return parts;
    marker = page->back().part_number;
  }
}

// Every item of a paged identity listing.
template <class T, class List>
Result<std::vector<T>> all_pages(List&& list, const char* what) {
  std::vector<T> items;
  meta::PageQuery query;
  query.max_items = kPage;
  while (true) {
    auto page = list(query);
    if (!page) return failed(page.error(), std::string("listing ") + what);
    items.insert(items.end(), page->items.begin(), page->items.end());
    if (!page->truncated || page->items.empty()) return items;
    query.marker = page->next_marker;
  }
}

Result<std::vector<UserRecord>> all_users(meta::IdentityStore& store) {
  return all_pages<UserRecord>([&](const meta::PageQuery& q) { return store.list_users(q); }, "users");
}
Result<std::vector<GroupRecord>> all_groups(meta::IdentityStore& store) {
  return all_pages<GroupRecord>([&](const meta::PageQuery& q) { return store.list_groups(q); }, "groups");
}
Result<std::vector<RoleRecord>> all_roles(meta::IdentityStore& store) {
  return all_pages<RoleRecord>([&](const meta::PageQuery& q) { return store.list_roles(q); }, "roles");
}
Result<std::vector<PolicyRecord>> all_policies(meta::IdentityStore& store) {
  return all_pages<PolicyRecord>([&](const meta::PageQuery& q) { return store.list_policies(q); }, "policies");
}

// "v12" -> 12; versions the store did not name that way sort last.
uint64_t version_number(const std::string& version_id) {
  uint64_t number = UINT64_MAX;
  if (version_id.size() > 1 && version_id[0] == 'v') {
    std::from_chars(version_id.data() + 1, version_id.data() + version_id.size(), number);
  }
  return number;
}

Result<std::vector<PolicyVersionRecord>> versions_in_order(meta::IdentityStore& store, const std::string& policy) {
  auto versions = store.list_policy_versions(policy);
  if (!versions) return failed(versions.error(), "listing versions of policy " + policy);
  std::sort(versions->begin(), versions->end(),
            [](const auto& a, const auto& b) { return version_number(a.version_id) < version_number(b.version_id); });
  return versions;
}

// The principals attachments may name, as (type, name).
Result<std::vector<std::pair<std::string, std::string>>> all_principals(meta::IdentityStore& store) {
  std::vector<std::pair<std::string, std::string>> principals;
  auto users = all_users(store);
  if (!users) return users.error();
  for (const auto& u : *users) principals.emplace_back(kPrincipalTypes[0], u.name);
  auto groups = all_groups(store);
  if (!groups) return groups.error();
  for (const auto& g : *groups) principals.emplace_back(kPrincipalTypes[1], g.name);
  auto roles = all_roles(store);
  if (!roles) return roles.error();
  for (const auto& r : *roles) principals.emplace_back(kPrincipalTypes[2], r.name);
  return principals;
}

// ------------------------------------------------------------------ blobs

// Streams one blob into a new blob of the target store.
Result<std::string> copy_blob(blob::BlobStore& from, blob::BlobStore& to, const std::string& id) {
  auto reader = from.open(id);
  if (!reader) return failed(reader.error(), "opening source blob " + id);
  auto writer = to.create();
  if (!writer) return failed(writer.error(), "creating a target blob");
  std::vector<char> buffer(kCopyChunk);
  uint64_t offset = 0;
  const uint64_t size = (*reader)->size();
  while (offset < size) {
    auto got = (*reader)->read_at(offset, buffer);
    if (!got) return failed(got.error(), "reading source blob " + id);
    if (*got == 0) return Error(ErrorCode::InternalError, "source blob " + id + " ended before its size");
    if (auto st = (*writer)->write(std::span<const char>(buffer.data(), *got)); !st) {
      return failed(st.error(), "writing the copy of blob " + id);
    }
    offset += *got;
  }
  auto committed = (*writer)->commit();
  if (!committed) return failed(committed.error(), "committing the copy of blob " + id);
  return std::move(committed).value();
}

// Source blob id -> target blob id, so a blob several records share is
// copied once and stays shared.
class BlobCopier {
 public:
  BlobCopier(blob::BlobStore& from, blob::BlobStore& to) : from_(from), to_(to) {}

  Result<std::string> target_of(const std::string& source_id) {
    if (auto found = copied_.find(source_id); found != copied_.end()) return found->second;
    auto copied = copy_blob(from_, to_, source_id);
    if (!copied) return copied.error();
    copied_.emplace(source_id, *copied);
    return copied;
  }

  uint64_t blobs_copied() const { return copied_.size(); }

 private:
  blob::BlobStore& from_;
  blob::BlobStore& to_;
  std::map<std::string, std::string> copied_;
};

struct Digest {
  std::string md5_hex;
  uint64_t size = 0;
};

// MD5 and length of the bytes of `blob_ids` read one after the other.
Result<Digest> digest_of(blob::BlobStore& store, const std::vector<std::string>& blob_ids) {
  crypto::Md5 md5;
  Digest digest;
  std::vector<char> buffer(kCopyChunk);
  for (const auto& id : blob_ids) {
    auto reader = store.open(id);
    if (!reader) return failed(reader.error(), "opening blob " + id);
    const uint64_t size = (*reader)->size();
    for (uint64_t offset = 0; offset < size;) {
      auto got = (*reader)->read_at(offset, buffer);
      if (!got) return failed(got.error(), "reading blob " + id);
      if (*got == 0) return Error(ErrorCode::InternalError, "blob " + id + " ended before its size");
      md5.update(std::span<const char>(buffer.data(), *got));
      offset += *got;
    }
    digest.size += size;
  }
  digest.md5_hex = hex_lower(md5.finish());
  return digest;
}

std::vector<std::string> blob_ids_of(const ObjectRecord& object) {
  std::vector<std::string> ids;
  for (const auto& segment : object.segments) ids.push_back(segment.blob_id);
  return ids;
}

// ------------------------------------------------------------------ copy

class Copier {
 public:
  Copier(Deployment& source, Deployment& target)
      : source_(source), target_(target), blobs_(source.blobs, target.blobs) {}

  Result<DeploymentCounts> run() {
    if (auto st = copy_buckets(); !st) return st.error();
    if (auto st = copy_identities(); !st) return st.error();
    counts_.blobs = blobs_.blobs_copied();
    return counts_;
  }

 private:
  Status copy_buckets() {
    return for_each_bucket(source_.metadata, [&](const BucketRecord& bucket) -> Status {
      if (auto st = target_.metadata.create_bucket(bucket); !st)
        return failed(st.error(), "creating bucket " + bucket.name);
      ++counts_.buckets;
      auto configs = source_.metadata.list_bucket_configs(bucket.name);
      if (!configs) return failed(configs.error(), "reading the settings of bucket " + bucket.name);
      for (const auto& [name, value] : *configs) {
        if (auto st = target_.metadata.set_bucket_config(bucket.name, name, value); !st) {
          return failed(st.error(), "writing setting " + name + " of bucket " + bucket.name);
        }
        ++counts_.bucket_configs;
      }
      if (auto st =
              for_each_object(source_.metadata, bucket.name, [&](const ObjectRecord& o) { return copy_object(o); });
          !st) {
        return st;
      }
      return for_each_upload(source_.metadata, bucket.name, [&](const UploadRecord& u) { return copy_upload(u); });
    });
  }

  Status copy_object(const ObjectRecord& source) {
    ObjectRecord copy = source;
    for (auto& segment : copy.segments) {
      auto target_id = blobs_.target_of(segment.blob_id);
      if (!target_id) return failed(target_id.error(), "object " + source.bucket + "/" + source.key);
      segment.blob_id = *target_id;
    }
    auto put = target_.metadata.put_object(copy, meta::PutConditions{.forbid_overwrite = true});
    if (!put) return failed(put.error(), "writing object " + source.bucket + "/" + source.key);
    ++counts_.objects;
    counts_.object_bytes += source.size;
    return ok_status();
  }

  Status copy_upload(const UploadRecord& upload) {
    if (auto st = target_.metadata.create_upload(upload); !st) {
      return failed(st.error(), "creating multipart upload " + upload.upload_id);
    }
    ++counts_.uploads;
    auto parts = all_parts(source_.metadata, upload.upload_id);
    if (!parts) return parts.error();
    for (PartRecord part : *parts) {
      auto target_id = blobs_.target_of(part.blob_id);
      if (!target_id)
        return failed(target_id.error(), "part " + std::to_string(part.part_number) + " of upload " + upload.upload_id);
      part.blob_id = *target_id;
      if (auto put = target_.metadata.put_part(upload.upload_id, part); !put) {
        return failed(put.error(),
                      "writing part " + std::to_string(part.part_number) + " of upload " + upload.upload_id);
      }
      ++counts_.parts;
      counts_.part_bytes += part.size;
    }
    return ok_status();
  }

  Status copy_identities() {
    meta::IdentityStore& from = source_.identity;
    meta::IdentityStore& to = target_.identity;
    auto users = all_users(from);
    if (!users) return users.error();
    for (const auto& user : *users) {
      if (auto st = to.create_user(user); !st) return failed(st.error(), "creating user " + user.name);
      ++counts_.users;
      auto keys = from.list_access_keys(user.name);
      if (!keys) return failed(keys.error(), "listing access keys of user " + user.name);
      for (const auto& key : *keys) {
        // The secret stays sealed: the target runs with the same master key.
        if (auto st = to.create_access_key(key, kNoKeyLimit); !st) {
          return failed(st.error(), "creating access key " + key.access_key_id);
        }
        ++counts_.access_keys;
      }
    }
    auto groups = all_groups(from);
    if (!groups) return groups.error();
    for (const auto& group : *groups) {
      if (auto st = to.create_group(group); !st) return failed(st.error(), "creating group " + group.name);
      ++counts_.groups;
      auto members = from.list_users_for_group(group.name);
      if (!members) return failed(members.error(), "listing members of group " + group.name);
      for (const auto& member : *members) {
        if (auto st = to.add_user_to_group(member.name, group.name); !st) {
          return failed(st.error(), "adding user " + member.name + " to group " + group.name);
        }
        ++counts_.group_memberships;
      }
    }
    auto roles = all_roles(from);
    if (!roles) return roles.error();
    for (const auto& role : *roles) {
      if (auto st = to.create_role(role); !st) return failed(st.error(), "creating role " + role.name);
      ++counts_.roles;
    }
    if (auto st = copy_policies(); !st) return st;
    auto principals = all_principals(from);
    if (!principals) return principals.error();
    for (const auto& [type, name] : *principals) {
      auto attachments = from.list_attachments_for(type, name);
      if (!attachments) return failed(attachments.error(), "listing policies attached to " + type + " " + name);
      for (const auto& attachment : *attachments) {
        if (auto st = to.attach_policy(attachment); !st) {
          return failed(st.error(), "attaching policy " + attachment.policy_name + " to " + type + " " + name);
        }
        ++counts_.attachments;
      }
    }
    auto token_keys = from.list_token_keys();
    if (!token_keys) return failed(token_keys.error(), "listing STS token keys");
    for (const auto& key : *token_keys) {
      if (auto st = to.add_token_key(key); !st) return failed(st.error(), "adding STS token key " + key.key_id);
      ++counts_.token_keys;
    }
    return ok_status();
  }

  // create_policy makes v1 from the record's document; later versions are
  // added in order, the default one last made default again so the policy
  // ends with the same default (and the same updated time) as the source.
  Status copy_policies() {
    auto policies = all_policies(source_.identity);
    if (!policies) return policies.error();
    for (const auto& policy : *policies) {
      auto versions = versions_in_order(source_.identity, policy.name);
      if (!versions) return versions.error();
      if (versions->empty() || (*versions)[0].version_id != "v1") {
        return Error(ErrorCode::InternalError, "policy " + policy.name + " has no version v1 to create it from");
      }
      PolicyRecord created = policy;
      created.document = (*versions)[0].document;
      if (auto st = target_.identity.create_policy(created); !st)
        return failed(st.error(), "creating policy " + policy.name);
      ++counts_.policies;
      ++counts_.policy_versions;
      for (size_t i = 1; i < versions->size(); ++i) {
        const PolicyVersionRecord& version = (*versions)[i];
        if (auto st = target_.identity.create_policy_version(policy.name, version, version.is_default); !st) {
          return failed(st.error(), "creating version " + version.version_id + " of policy " + policy.name);
        }
        ++counts_.policy_versions;
      }
    }
    return ok_status();
  }

  Deployment& source_;
  Deployment& target_;
  BlobCopier blobs_;
  DeploymentCounts counts_;
};

// ------------------------------------------------------------------ verify

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string show(const meta::Pairs& pairs) {
  std::string out = "{";
  for (const auto& [name, value] : pairs) {
    if (out.size() > 1) out += ", ";
    out += name + "=" + value;
  }
  return out + "}";
}

// Collects the differences of one record, field by field.
class FieldDiff {
 public:
  void field(const char* name, const std::string& a, const std::string& b) {
    if (a != b) add(name, quoted(a), quoted(b));
  }
  void field(const char* name, int64_t a, int64_t b) {
    if (a != b) add(name, std::to_string(a), std::to_string(b));
  }
  void field(const char* name, uint64_t a, uint64_t b) {
    if (a != b) add(name, std::to_string(a), std::to_string(b));
  }
  void field(const char* name, bool a, bool b) {
    if (a != b) add(name, a ? "true" : "false", b ? "true" : "false");
  }
  void field(const char* name, const meta::Pairs& a, const meta::Pairs& b) {
    if (a != b) add(name, show(a), show(b));
  }
  const std::string& text() const { return text_; }

 private:
  void add(const char* name, const std::string& a, const std::string& b) {
    if (!text_.empty()) text_ += "; ";
    text_ += std::string(name) + " " + a + " != " + b;
  }
  std::string text_;
};

std::string segment_sizes(const ObjectRecord& o) {
  std::string out;
  for (const auto& s : o.segments) out += (out.empty() ? "" : ",") + std::to_string(s.size);
  return out;
}

// Every field but the blob ids, which a copy changes.
void diff_object(FieldDiff& d, const ObjectRecord& a, const ObjectRecord& b) {
  d.field("bucket", a.bucket, b.bucket);
  d.field("key", a.key, b.key);
  d.field("size", a.size, b.size);
  d.field("etag", a.etag, b.etag);
  d.field("crc64", a.crc64, b.crc64);
  d.field("last_modified_ms", a.last_modified_ms, b.last_modified_ms);
  d.field("object_type", a.object_type, b.object_type);
  d.field("storage_class", a.storage_class, b.storage_class);
  d.field("acl", a.acl, b.acl);
  d.field("content_type", a.content_type, b.content_type);
  d.field("headers", a.headers, b.headers);
  d.field("user_meta", a.user_meta, b.user_meta);
  d.field("tags", a.tags, b.tags);
  d.field("segment sizes", segment_sizes(a), segment_sizes(b));
}

class Verifier {
 public:
  Verifier(Deployment& source, Deployment& target) : source_(source), target_(target) {}

  Result<VerifyReport> run() {
    if (auto st = verify_buckets(); !st) return st.error();
    if (auto st = verify_identities(); !st) return st.error();
    report_.source.blobs = source_blob_ids_.size();
    auto counted = count(target_, /*blob_ids=*/nullptr);
    if (!counted) return counted.error();
    report_.target = *counted;
    if (!(report_.source == report_.target)) {
      mismatch("counts differ: source has " + describe_counts(report_.source) + "; target has " +
               describe_counts(report_.target));
    }
    return std::move(report_);
  }

  // What a deployment holds, walked the same way as verify walks the source.
  static Result<DeploymentCounts> count(Deployment& d, std::set<std::string>* blob_ids) {
    DeploymentCounts c;
    std::set<std::string> ids;
    auto buckets = for_each_bucket(d.metadata, [&](const BucketRecord& bucket) -> Status {
      ++c.buckets;
      auto configs = d.metadata.list_bucket_configs(bucket.name);
      if (!configs) return failed(configs.error(), "reading the settings of bucket " + bucket.name);
      c.bucket_configs += configs->size();
      if (auto st = for_each_object(d.metadata, bucket.name,
                                    [&](const ObjectRecord& o) {
                                      ++c.objects;
                                      c.object_bytes += o.size;
                                      for (const auto& s : o.segments) ids.insert(s.blob_id);
                                      return ok_status();
                                    });
          !st) {
        return st;
      }
      return for_each_upload(d.metadata, bucket.name, [&](const UploadRecord& u) -> Status {
        ++c.uploads;
        auto parts = all_parts(d.metadata, u.upload_id);
        if (!parts) return parts.error();
        for (const auto& p : *parts) {
          ++c.parts;
          c.part_bytes += p.size;
          ids.insert(p.blob_id);
        }
        return ok_status();
      });
    });
    if (!buckets) return buckets.error();
    c.blobs = ids.size();
    if (blob_ids != nullptr) *blob_ids = std::move(ids);

    auto users = all_users(d.identity);
    if (!users) return users.error();
    c.users = users->size();
    for (const auto& u : *users) {
      auto keys = d.identity.list_access_keys(u.name);
      if (!keys) return failed(keys.error(), "listing access keys of user " + u.name);
      c.access_keys += keys->size();
    }
    auto groups = all_groups(d.identity);
    if (!groups) return groups.error();
    c.groups = groups->size();
    for (const auto& g : *groups) {
      auto members = d.identity.list_users_for_group(g.name);
      if (!members) return failed(members.error(), "listing members of group " + g.name);
      c.group_memberships += members->size();
    }
    auto roles = all_roles(d.identity);
    if (!roles) return roles.error();
    c.roles = roles->size();
    auto policies = all_policies(d.identity);
    if (!policies) return policies.error();
    c.policies = policies->size();
    for (const auto& p : *policies) {
      auto versions = d.identity.list_policy_versions(p.name);
      if (!versions) return failed(versions.error(), "listing versions of policy " + p.name);
      c.policy_versions += versions->size();
    }
    auto principals = all_principals(d.identity);
    if (!principals) return principals.error();
    for (const auto& [type, name] : *principals) {
      auto attachments = d.identity.list_attachments_for(type, name);
      if (!attachments) return failed(attachments.error(), "listing policies attached to " + type + " " + name);
      c.attachments += attachments->size();
    }
    auto token_keys = d.identity.list_token_keys();
    if (!token_keys) return failed(token_keys.error(), "listing STS token keys");
    c.token_keys = token_keys->size();
    return c;
  }

 private:
  void mismatch(std::string text) {
    ++report_.mismatch_count;
    if (report_.mismatches.size() < kMaxReportedMismatches) report_.mismatches.push_back(std::move(text));
  }

  void compare(const std::string& what, const FieldDiff& diff) {
    if (!diff.text().empty()) mismatch(what + ": " + diff.text() + " (source != target)");
  }

  // A record the target lacks is a mismatch; any other failure ends the run.
  template <class T>
  Result<std::optional<T>> in_target(Result<T> found, const std::string& what,
                                     std::initializer_list<ErrorCode> missing) {
    if (found) return std::optional<T>(std::move(found).value());
    if (std::find(missing.begin(), missing.end(), found.error().code) != missing.end()) {
      mismatch(what + " is missing from the target");
      return std::optional<T>();
    }
    return failed(found.error(), "reading " + what + " from the target");
  }

  // The bytes of a record on both sides: same MD5, same length.
  Status compare_bytes(const std::string& what, const std::vector<std::string>& source_ids,
                       const std::vector<std::string>& target_ids, uint64_t expected_size,
                       const std::string& expected_md5_hex) {
    for (const auto& id : source_ids) source_blob_ids_.insert(id);
    auto source = digest_of(source_.blobs, source_ids);
    if (!source) return failed(source.error(), what + " in the source");
    auto target = digest_of(target_.blobs, target_ids);
    if (!target) {
      mismatch(what + ": its bytes cannot be read from the target: " + target.error().message);
      return ok_status();
    }
    if (source->md5_hex != target->md5_hex || source->size != target->size) {
      mismatch(what + ": bytes differ (source MD5 " + source->md5_hex + ", " + std::to_string(source->size) +
               " bytes; target MD5 " + target->md5_hex + ", " + std::to_string(target->size) + " bytes)");
    } else if (target->size != expected_size) {
      mismatch(what + ": holds " + std::to_string(target->size) + " bytes but its record says " +
               std::to_string(expected_size));
    } else if (!expected_md5_hex.empty() && target->md5_hex != expected_md5_hex) {
      mismatch(what + ": MD5 " + target->md5_hex + " of the copied bytes is not the recorded " + expected_md5_hex);
    }
    return ok_status();
  }

  // The MD5 a record itself promises: a simple object's ETag, a part's MD5.
  static std::string promised_md5(const ObjectRecord& o) {
    if (o.object_type != "Normal" || o.etag.size() != 32) return {};
    auto decoded = hex_decode(o.etag);
    if (!decoded) return {};
    return hex_lower(*decoded);
  }

  Status verify_buckets() {
    return for_each_bucket(source_.metadata, [&](const BucketRecord& bucket) -> Status {
      ++report_.source.buckets;
      const std::string what = "bucket " + bucket.name;
      auto found = in_target(target_.metadata.get_bucket(bucket.name), what, {ErrorCode::NoSuchBucket});
      if (!found) return found.error();
      if (!*found) return ok_status();
      const BucketRecord& copy = **found;
      FieldDiff d;
      d.field("owner_id", bucket.owner_id, copy.owner_id);
      d.field("acl", bucket.acl, copy.acl);
      d.field("storage_class", bucket.storage_class, copy.storage_class);
      d.field("region", bucket.region, copy.region);
      d.field("created_ms", bucket.created_ms, copy.created_ms);
      compare(what, d);

      auto configs = source_.metadata.list_bucket_configs(bucket.name);
      if (!configs) return failed(configs.error(), "reading the settings of " + what);
      report_.source.bucket_configs += configs->size();
      auto target_configs = target_.metadata.list_bucket_configs(bucket.name);
      if (!target_configs) return failed(target_configs.error(), "reading the settings of " + what + " in the target");
      FieldDiff settings;
      settings.field("settings", *configs, *target_configs);
      compare(what, settings);

      if (auto st =
              for_each_object(source_.metadata, bucket.name, [&](const ObjectRecord& o) { return verify_object(o); });
          !st) {
        return st;
      }
      return for_each_upload(source_.metadata, bucket.name, [&](const UploadRecord& u) { return verify_upload(u); });
    });
  }

  Status verify_object(const ObjectRecord& source) {
    ++report_.source.objects;
    report_.source.object_bytes += source.size;
    const std::string what = "object " + source.bucket + "/" + source.key;
    auto found = in_target(target_.metadata.get_object(source.bucket, source.key), what,
                           {ErrorCode::NoSuchKey, ErrorCode::NoSuchBucket});
    if (!found) return found.error();
    if (!*found) return ok_status();
    FieldDiff d;
    diff_object(d, source, **found);
    compare(what, d);
    return compare_bytes(what, blob_ids_of(source), blob_ids_of(**found), source.size, promised_md5(source));
  }

  Status verify_upload(const UploadRecord& source) {
    ++report_.source.uploads;
    const std::string what = "multipart upload " + source.upload_id + " of " + source.bucket + "/" + source.key;
    auto found = in_target(target_.metadata.get_upload(source.bucket, source.key, source.upload_id), what,
                           {ErrorCode::NoSuchUpload, ErrorCode::NoSuchBucket});
    if (!found) return found.error();
    auto parts = all_parts(source_.metadata, source.upload_id);
    if (!parts) return parts.error();
    for (const auto& p : *parts) {
      ++report_.source.parts;
      report_.source.part_bytes += p.size;
      source_blob_ids_.insert(p.blob_id);
    }
    if (!*found) return ok_status();
    FieldDiff d;
    d.field("initiated_ms", source.initiated_ms, (*found)->initiated_ms);
    diff_object(d, source.object, (*found)->object);
    compare(what, d);

    auto target_parts = all_parts(target_.metadata, source.upload_id);
    if (!target_parts) return target_parts.error();
    std::map<uint32_t, const PartRecord*> by_number;
    for (const auto& p : *target_parts) by_number[p.part_number] = &p;
    for (const auto& p : *parts) {
      const std::string part_what = "part " + std::to_string(p.part_number) + " of " + what;
      auto copy = by_number.find(p.part_number);
      if (copy == by_number.end()) {
        mismatch(part_what + " is missing from the target");
        continue;
      }
      const PartRecord& t = *copy->second;
      FieldDiff pd;
      pd.field("etag", p.etag, t.etag);
      pd.field("md5_hex", p.md5_hex, t.md5_hex);
      pd.field("crc64", p.crc64, t.crc64);
      pd.field("size", p.size, t.size);
      pd.field("last_modified_ms", p.last_modified_ms, t.last_modified_ms);
      compare(part_what, pd);
      const std::string promised = p.md5_hex.size() == 32 ? p.md5_hex : std::string();
      if (auto st = compare_bytes(part_what, {p.blob_id}, {t.blob_id}, p.size, promised); !st) return st;
    }
    return ok_status();
  }

  Status verify_identities() {
    meta::IdentityStore& from = source_.identity;
    meta::IdentityStore& to = target_.identity;
    auto users = all_users(from);
    if (!users) return users.error();
    for (const auto& user : *users) {
      ++report_.source.users;
      const std::string what = "user " + user.name;
      auto found = in_target(to.get_user(user.name), what, {ErrorCode::EntityNotExist});
      if (!found) return found.error();
      if (*found) {
        FieldDiff d;
        d.field("user_id", user.user_id, (*found)->user_id);
        d.field("display_name", user.display_name, (*found)->display_name);
        d.field("comments", user.comments, (*found)->comments);
        d.field("created_ms", user.created_ms, (*found)->created_ms);
        d.field("updated_ms", user.updated_ms, (*found)->updated_ms);
        compare(what, d);
      }
      auto keys = from.list_access_keys(user.name);
      if (!keys) return failed(keys.error(), "listing access keys of " + what);
      for (const auto& key : *keys) {
        ++report_.source.access_keys;
        const std::string key_what = "access key " + key.access_key_id;
        auto copy = in_target(to.get_access_key(key.access_key_id), key_what, {ErrorCode::EntityNotExist});
        if (!copy) return copy.error();
        if (!*copy) continue;
        FieldDiff d;
        d.field("user_name", key.user_name, (*copy)->user_name);
        // Compared sealed: equal ciphertexts under the same master key are equal secrets.
        d.field("secret", key.secret_sealed, (*copy)->secret_sealed);
        d.field("status", key.status, (*copy)->status);
        d.field("created_ms", key.created_ms, (*copy)->created_ms);
        compare(key_what, d);
      }
    }
    auto groups = all_groups(from);
    if (!groups) return groups.error();
    for (const auto& group : *groups) {
      ++report_.source.groups;
      const std::string what = "group " + group.name;
      auto found = in_target(to.get_group(group.name), what, {ErrorCode::EntityNotExist});
      if (!found) return found.error();
      if (!*found) continue;
      FieldDiff d;
      d.field("group_id", group.group_id, (*found)->group_id);
      d.field("comments", group.comments, (*found)->comments);
      d.field("created_ms", group.created_ms, (*found)->created_ms);
      d.field("updated_ms", group.updated_ms, (*found)->updated_ms);
      auto members = from.list_users_for_group(group.name);
      if (!members) return failed(members.error(), "listing members of " + what);
      auto target_members = to.list_users_for_group(group.name);
      if (!target_members) return failed(target_members.error(), "listing members of " + what + " in the target");
      report_.source.group_memberships += members->size();
      d.field("members", names_of(*members), names_of(*target_members));
      compare(what, d);
    }
    auto roles = all_roles(from);
    if (!roles) return roles.error();
    for (const auto& role : *roles) {
      ++report_.source.roles;
      const std::string what = "role " + role.name;
      auto found = in_target(to.get_role(role.name), what, {ErrorCode::EntityNotExist});
      if (!found) return found.error();
      if (!*found) continue;
      FieldDiff d;
      d.field("role_id", role.role_id, (*found)->role_id);
      d.field("description", role.description, (*found)->description);
      d.field("trust_policy", role.trust_policy, (*found)->trust_policy);
      d.field("max_session_duration_s", role.max_session_duration_s, (*found)->max_session_duration_s);
      d.field("created_ms", role.created_ms, (*found)->created_ms);
      d.field("updated_ms", role.updated_ms, (*found)->updated_ms);
      compare(what, d);
    }
    if (auto st = verify_policies(); !st) return st;
    auto principals = all_principals(from);
    if (!principals) return principals.error();
    for (const auto& [type, name] : *principals) {
      auto attachments = from.list_attachments_for(type, name);
      if (!attachments) return failed(attachments.error(), "listing policies attached to " + type + " " + name);
      report_.source.attachments += attachments->size();
      auto copies = to.list_attachments_for(type, name);
      if (!copies) {
        if (copies.error().code != ErrorCode::EntityNotExist) return copies.error();
        continue;  // the principal itself was reported missing above
      }
      FieldDiff d;
      d.field("attached policies", attachments_text(*attachments), attachments_text(*copies));
      compare(type + " " + name, d);
    }
    auto token_keys = from.list_token_keys();
    if (!token_keys) return failed(token_keys.error(), "listing STS token keys");
    report_.source.token_keys = token_keys->size();
    auto target_keys = to.list_token_keys();
    if (!target_keys) return failed(target_keys.error(), "listing STS token keys in the target");
    FieldDiff d;
    d.field("keys", token_keys_text(*token_keys), token_keys_text(*target_keys));
    compare("STS token key ring", d);
    return ok_status();
  }

  Status verify_policies() {
    auto policies = all_policies(source_.identity);
    if (!policies) return policies.error();
    for (const auto& policy : *policies) {
      ++report_.source.policies;
      const std::string what = "policy " + policy.name;
      auto versions = versions_in_order(source_.identity, policy.name);
      if (!versions) return versions.error();
      report_.source.policy_versions += versions->size();
      auto found = in_target(target_.identity.get_policy(policy.name), what, {ErrorCode::EntityNotExist});
      if (!found) return found.error();
      if (!*found) continue;
      FieldDiff d;
      d.field("policy_type", policy.policy_type, (*found)->policy_type);
      d.field("description", policy.description, (*found)->description);
      d.field("default_version", policy.default_version, (*found)->default_version);
      d.field("document", policy.document, (*found)->document);
      d.field("attachment_count", policy.attachment_count, (*found)->attachment_count);
      d.field("created_ms", policy.created_ms, (*found)->created_ms);
      d.field("updated_ms", policy.updated_ms, (*found)->updated_ms);
      auto copies = versions_in_order(target_.identity, policy.name);
      if (!copies) return copies.error();
      d.field("versions", versions_text(*versions), versions_text(*copies));
      compare(what, d);
    }
    return ok_status();
  }

  static std::string names_of(const std::vector<UserRecord>& users) {
    std::vector<std::string> names;
    names.reserve(users.size());
    for (const auto& u : users) names.push_back(u.name);
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names) out += n + ",";
    return out;
  }

  static std::string attachments_text(std::vector<AttachmentRecord> list) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return std::tie(a.policy_type, a.policy_name) < std::tie(b.policy_type, b.policy_name);
    });
    std::string out;
    for (const auto& a : list) out += a.policy_type + ":" + a.policy_name + "@" + std::to_string(a.attached_ms) + ",";
    return out;
  }

  static std::string token_keys_text(std::vector<TokenKeyRecord> list) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.key_id < b.key_id; });
    std::string out;
    for (const auto& k : list)
      out += k.key_id + "=" + hex_lower(k.key_sealed) + "@" + std::to_string(k.created_ms) + ",";
    return out;
  }

  static std::string versions_text(const std::vector<PolicyVersionRecord>& list) {
    std::string out;
    for (const auto& v : list) {
      out += v.version_id + (v.is_default ? "*" : "") + "@" + std::to_string(v.created_ms) + ":" +
             hex_lower(crypto::md5(v.document)) + ",";
    }
    return out;
  }

  Deployment& source_;
  Deployment& target_;
  VerifyReport report_;
  std::set<std::string> source_blob_ids_;
};

}  // namespace

std::string describe_counts(const DeploymentCounts& c) {
  return "buckets " + std::to_string(c.buckets) + " (" + std::to_string(c.bucket_configs) + " settings), objects " +
         std::to_string(c.objects) + " (" + std::to_string(c.object_bytes) + " bytes), multipart uploads " +
         std::to_string(c.uploads) + " with " + std::to_string(c.parts) + " parts (" + std::to_string(c.part_bytes) +
         " bytes), blobs " + std::to_string(c.blobs) + ", users " + std::to_string(c.users) + ", access keys " +
         std::to_string(c.access_keys) + ", groups " + std::to_string(c.groups) + " (" +
         std::to_string(c.group_memberships) + " memberships), roles " + std::to_string(c.roles) + ", policies " +
         std::to_string(c.policies) + " (" + std::to_string(c.policy_versions) + " versions), attachments " +
         std::to_string(c.attachments) + ", STS token keys " + std::to_string(c.token_keys);
}

Status check_target_empty(Deployment& target) {
  std::vector<std::string> found;
  auto buckets = target.metadata.list_all_buckets("", 1, nullptr);
  if (!buckets) return failed(buckets.error(), "checking the target's buckets");
  if (!buckets->empty()) found.push_back("bucket " + (*buckets)[0].name);
  meta::PageQuery one;
  one.max_items = 1;
  auto users = target.identity.list_users(one);
  if (!users) return failed(users.error(), "checking the target's users");
  if (!users->items.empty()) found.push_back("user " + users->items[0].name);
  auto groups = target.identity.list_groups(one);
  if (!groups) return failed(groups.error(), "checking the target's groups");
  if (!groups->items.empty()) found.push_back("group " + groups->items[0].name);
  auto roles = target.identity.list_roles(one);
  if (!roles) return failed(roles.error(), "checking the target's roles");
  if (!roles->items.empty()) found.push_back("role " + roles->items[0].name);
  auto policies = target.identity.list_policies(one);
  if (!policies) return failed(policies.error(), "checking the target's policies");
  if (!policies->items.empty()) found.push_back("policy " + policies->items[0].name);
  auto token_keys = target.identity.list_token_keys();
  if (!token_keys) return failed(token_keys.error(), "checking the target's STS token keys");
  if (!token_keys->empty()) found.push_back(std::to_string(token_keys->size()) + " STS token keys");
  auto blobs = target.blobs.list();
  if (!blobs) return failed(blobs.error(), "checking the target's blobs");
  if (!blobs->empty()) found.push_back(std::to_string(blobs->size()) + " blobs");
  if (found.empty()) return ok_status();
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  return Error(ErrorCode::InvalidArgument,
               "the target is not empty (it holds " + list + "); migrate only into empty stores");
}

Result<DeploymentCounts> copy_deployment(Deployment& source, Deployment& target) {
  return Copier(source, target).run();
}

Result<VerifyReport> verify_deployment(Deployment& source, Deployment& target) {
  return Verifier(source, target).run();
}

}  // namespace ossd::service
