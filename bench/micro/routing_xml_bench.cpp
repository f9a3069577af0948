// Routing (Host/path resolution and operation classification) and the XML
// codecs: a 1000-key ListBucketResult and a 100-part CompleteMultipartUpload.
#include "api/operation.hpp"
#include "bench_support.hpp"
#include "meta/records.hpp"
#include "oss/addressing.hpp"
#include "oss/xml_requests.hpp"
#include "oss/xml_responses.hpp"

namespace ossd::bench {
namespace {

// A virtual-hosted GET of a V1 signed URL, as ali-oss signatureUrl produces it.
constexpr std::string_view kSignedGetTarget =
    "/2024/05/a%20photo.jpg?OSSAccessKeyId=LTAI5tBenchKeyId000000&Expires=1716197400"
    "&Signature=nH9r2c%2BXk1m0Wd4kQy7b8zL3eVo%3D";

void BM_RouteResolveVirtualHosted(benchmark::State& state) {
  const oss::AddressingConfig config;
  const std::string host = "photos.oss-cn-hangzhou.aliyuncs.com";
  check(oss::resolve_resource(host, kSignedGetTarget, config).ok(), "resolves");
  for (auto _ : state) {
    auto resource = oss::resolve_resource(host, kSignedGetTarget, config);
    benchmark::DoNotOptimize(resource);
  }
}
BENCHMARK(BM_RouteResolveVirtualHosted);

void BM_RouteResolvePathStyle(benchmark::State& state) {
  const oss::AddressingConfig config;
  const std::string host = "127.0.0.1:9000";
  const std::string target = "/photos" + std::string(kSignedGetTarget);
  check(oss::resolve_resource(host, target, config).ok(), "resolves");
  for (auto _ : state) {
    auto resource = oss::resolve_resource(host, target, config);
    benchmark::DoNotOptimize(resource);
  }
}
BENCHMARK(BM_RouteResolvePathStyle);

void BM_RouteClassifyGetObject(benchmark::State& state) {
  const oss::Resource resource =
      must(oss::resolve_resource("photos.localhost", kSignedGetTarget, oss::AddressingConfig{}), "resolve");
  const std::vector<HeaderField> headers{{"Host", "photos.localhost"},
                                         {"User-Agent", "aliyun-sdk-js/6.23.0"},
                                         {"Accept", "*/*"},
                                         {"Range", "bytes=0-4095"}};
  check(api::classify("GET", true, true, resource.query, headers).value() == api::Operation::GetObject,
        "classified as GetObject");
  for (auto _ : state) {
    auto operation = api::classify("GET", !resource.bucket.empty(), !resource.key.empty(), resource.query, headers);
    benchmark::DoNotOptimize(operation);
  }
}
BENCHMARK(BM_RouteClassifyGetObject);

// ---- XML -------------------------------------------------------------------

meta::ListResult thousand_keys() {
  meta::ListResult result;
  result.objects.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    meta::ObjectSummary object;
    object.key = "photos/2024/05/IMG_" + std::to_string(100000 + i) + (i % 7 == 0 ? " (copy) & more.jpg" : ".jpg");
    object.size = 1000 + static_cast<uint64_t>(i) * 4099;
    object.etag = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
    object.last_modified_ms = 1716193800000 + i * 1000;
    object.object_type = "Normal";
    object.storage_class = "Standard";
    result.objects.push_back(std::move(object));
  }
  result.truncated = true;
  result.next_marker = result.objects.back().key;
  return result;
}

void BM_XmlRenderListObjects1000(benchmark::State& state) {
  const meta::ListResult result = thousand_keys();
  oss::ObjectListingV1 request;
  request.bucket = "photos";
  request.prefix = "photos/2024/";
  request.max_keys = 1000;
  request.url_encoded = state.range(0) != 0;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string xml = oss::render_list_objects_v1(request, result, kAccount);
    bytes = xml.size();
    benchmark::DoNotOptimize(xml);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["xml_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_XmlRenderListObjects1000)->ArgName("url_encoded")->Arg(0)->Arg(1);

std::string complete_multipart_body(int parts) {
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload>\n";
  for (int i = 1; i <= parts; ++i) {
    body += "  <Part>\n    <PartNumber>" + std::to_string(i) +
            "</PartNumber>\n    <ETag>\"3858F62230AC3C915F300C664312C11F\"</ETag>\n  </Part>\n";
  }
  body += "</CompleteMultipartUpload>\n";
  return body;
}

void BM_XmlParseCompleteMultipart100(benchmark::State& state) {
  const std::string body = complete_multipart_body(100);
  check(must(oss::parse_complete_multipart(body), "parse").size() == 100, "100 parts");
  for (auto _ : state) {
    auto parts = oss::parse_complete_multipart(body);
    benchmark::DoNotOptimize(parts);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_XmlParseCompleteMultipart100);

}  // namespace
}  // namespace ossd::bench
