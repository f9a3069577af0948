// Service, bucket and listing bodies.
#include "oss/xml_responses.hpp"

#include "core/strings.hpp"
#include "oss/xml_util.hpp"

namespace ossd::oss {

namespace {

using detail::add_bool;
using detail::add_text;
using detail::add_time_ms;
using detail::add_uint;

using detail::maybe_url_encode;

std::string_view region_of(const meta::BucketRecord& bucket, const AddressingConfig& addressing) {
  return bucket.region.empty() ? std::string_view(addressing.region) : std::string_view(bucket.region);
}

// OSS's <Region> is the location without its "oss-" prefix: cn-hangzhou.
std::string_view short_region(std::string_view location) {
  return location.starts_with("oss-") ? location.substr(4) : location;
}

std::string_view extranet(const AddressingConfig& addressing) {
  return addressing.extranet_endpoint.empty() ? addressing.domain : addressing.extranet_endpoint;
}

std::string_view intranet(const AddressingConfig& addressing) {
  return addressing.intranet_endpoint.empty() ? addressing.domain : addressing.intranet_endpoint;
}

void add_owner(pugi::xml_node parent, std::string_view owner_id) {
  pugi::xml_node owner = parent.append_child("Owner");
  add_text(owner, "ID", owner_id);
  add_text(owner, "DisplayName", owner_id);
}

std::string render_acl(std::string_view owner_id, std::string_view acl) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "AccessControlPolicy");
  add_owner(root, owner_id);
  add_text(root.append_child("AccessControlList"), "Grant", acl);
  return detail::save_document(doc);
}

void add_contents(pugi::xml_node root, const meta::ListResult& result, bool url_encoded, bool with_owner,
                  std::string_view owner_id) {
  for (const meta::ObjectSummary& object : result.objects) {
    pugi::xml_node contents = root.append_child("Contents");
    add_text(contents, "Key", maybe_url_encode(object.key, url_encoded));
    add_time_ms(contents, "LastModified", object.last_modified_ms);
    add_text(contents, "ETag", quote_etag(object.etag));
    add_text(contents, "Type", object.object_type.empty() ? std::string_view("Normal") : object.object_type);
    add_uint(contents, "Size", object.size);
    add_text(contents, "StorageClass",
             object.storage_class.empty() ? std::string_view("Standard") : object.storage_class);
    if (with_owner) add_owner(contents, owner_id);
  }
  for (const std::string& prefix : result.common_prefixes) {
    add_text(root.append_child("CommonPrefixes"), "Prefix", maybe_url_encode(prefix, url_encoded));
  }
}

}  // namespace

std::string render_list_buckets(std::string_view owner_id, const BucketListing& listing,
                                const std::vector<meta::BucketRecord>& buckets, bool truncated,
                                const AddressingConfig& addressing) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "ListAllMyBucketsResult");
  add_text(root, "Prefix", listing.prefix);
  add_text(root, "Marker", listing.marker);
  add_uint(root, "MaxKeys", listing.max_keys);
  add_bool(root, "IsTruncated", truncated);
  if (truncated && !buckets.empty()) add_text(root, "NextMarker", buckets.back().name);
  add_owner(root, owner_id);
  pugi::xml_node list = root.append_child("Buckets");
  for (const meta::BucketRecord& bucket : buckets) {
    pugi::xml_node node = list.append_child("Bucket");
    const std::string_view location = region_of(bucket, addressing);
    add_time_ms(node, "CreationDate", bucket.created_ms);
    add_text(node, "ExtranetEndpoint", extranet(addressing));
    add_text(node, "IntranetEndpoint", intranet(addressing));
    add_text(node, "Location", location);
    add_text(node, "Name", bucket.name);
    add_text(node, "Region", short_region(location));
    add_text(node, "StorageClass", bucket.storage_class);
  }
  return detail::save_document(doc);
}

std::string render_bucket_info(const meta::BucketRecord& bucket, const AddressingConfig& addressing) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "BucketInfo");
  pugi::xml_node node = root.append_child("Bucket");
  const std::string_view location = region_of(bucket, addressing);
  add_text(node, "AccessMonitor", "Disabled");
  add_time_ms(node, "CreationDate", bucket.created_ms);
  add_text(node, "CrossRegionReplication", "Disabled");
  add_text(node, "DataRedundancyType", "LRS");
  add_text(node, "ExtranetEndpoint", extranet(addressing));
  add_text(node, "IntranetEndpoint", intranet(addressing));
  add_text(node, "Location", location);
  add_text(node, "Name", bucket.name);
  add_text(node, "Region", short_region(location));
  add_text(node, "StorageClass", bucket.storage_class);
  add_text(node, "TransferAcceleration", "Disabled");
  add_owner(node, bucket.owner_id);
  add_text(node.append_child("AccessControlList"), "Grant", bucket.acl);
  add_text(node.append_child("ServerSideEncryptionRule"), "SSEAlgorithm", "None");
  pugi::xml_node logging = node.append_child("BucketPolicy");
  add_text(logging, "LogBucket", "");
  add_text(logging, "LogPrefix", "");
  return detail::save_document(doc);
}

std::string render_bucket_location(std::string_view region) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "LocationConstraint");
  if (!region.empty()) root.append_child(pugi::node_pcdata).set_value(region.data(), region.size());
  return detail::save_document(doc);
}

std::string render_bucket_acl(std::string_view owner_id, std::string_view acl) { return render_acl(owner_id, acl); }

std::string render_object_acl(std::string_view owner_id, std::string_view acl) { return render_acl(owner_id, acl); }

std::string render_list_objects_v1(const ObjectListingV1& request, const meta::ListResult& result,
                                   std::string_view owner_id) {
  const bool url = request.url_encoded;
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "ListBucketResult");
  add_text(root, "Name", request.bucket);
  add_text(root, "Prefix", maybe_url_encode(request.prefix, url));
  add_text(root, "Marker", maybe_url_encode(request.marker, url));
  add_uint(root, "MaxKeys", request.max_keys);
  add_text(root, "Delimiter", maybe_url_encode(request.delimiter, url));
  add_bool(root, "IsTruncated", result.truncated);
  if (result.truncated) add_text(root, "NextMarker", maybe_url_encode(result.next_marker, url));
  if (url) add_text(root, "EncodingType", "url");
  add_contents(root, result, url, true, owner_id);
  return detail::save_document(doc);
}

std::string render_list_objects_v2(const ObjectListingV2& request, const meta::ListResult& result,
                                   std::string_view owner_id) {
  const bool url = request.url_encoded;
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "ListBucketResult");
  add_text(root, "Name", request.bucket);
  add_text(root, "Prefix", maybe_url_encode(request.prefix, url));
  if (!request.continuation_token.empty()) add_text(root, "ContinuationToken", request.continuation_token);
  if (!request.start_after.empty()) add_text(root, "StartAfter", maybe_url_encode(request.start_after, url));
  add_uint(root, "MaxKeys", request.max_keys);
  add_text(root, "Delimiter", maybe_url_encode(request.delimiter, url));
  if (url) add_text(root, "EncodingType", "url");
  add_bool(root, "IsTruncated", result.truncated);
  if (result.truncated && !request.next_continuation_token.empty()) {
    add_text(root, "NextContinuationToken", maybe_url_encode(request.next_continuation_token, url));
  }
  add_uint(root, "KeyCount", result.objects.size() + result.common_prefixes.size());
  add_contents(root, result, url, request.fetch_owner, owner_id);
  return detail::save_document(doc);
}

}  // namespace ossd::oss
