#include "api/handlers.hpp"

namespace ossd::api {

HandlerResult dispatch(RequestContext& ctx) {
  switch (ctx.operation) {
    case Operation::ListBuckets: return list_buckets(ctx);
    case Operation::PutBucket: return put_bucket(ctx);
    case Operation::DeleteBucket: return delete_bucket(ctx);
    case Operation::GetBucketInfo: return get_bucket_info(ctx);
    case Operation::GetBucketLocation: return get_bucket_location(ctx);
    case Operation::GetBucketAcl: return get_bucket_acl(ctx);
    case Operation::PutBucketAcl: return put_bucket_acl(ctx);
    case Operation::ListObjects: return list_objects(ctx);
    case Operation::ListObjectsV2: return list_objects_v2(ctx);
    case Operation::ListMultipartUploads: return list_multipart_uploads(ctx);
    case Operation::DeleteMultipleObjects: return delete_multiple_objects(ctx);
    case Operation::PutBucketCors: return put_bucket_cors(ctx);
    case Operation::GetBucketCors: return get_bucket_cors(ctx);
    case Operation::DeleteBucketCors: return delete_bucket_cors(ctx);
    case Operation::PutBucketPolicy: return put_bucket_policy(ctx);
    case Operation::GetBucketPolicy: return get_bucket_policy(ctx);
    case Operation::DeleteBucketPolicy: return delete_bucket_policy(ctx);
    case Operation::PutStyle: return put_style(ctx);
    case Operation::GetStyle: return get_style(ctx);
    case Operation::ListStyle: return list_style(ctx);
    case Operation::DeleteStyle: return delete_style(ctx);
    case Operation::OptionObject: return option_object(ctx);
    case Operation::PostObject: return post_object(ctx);
    case Operation::PutObject: return put_object(ctx);
    case Operation::CopyObject: return copy_object(ctx);
    case Operation::GetObject: return get_object(ctx);
    case Operation::HeadObject: return head_object(ctx);
    case Operation::GetObjectMeta: return get_object_meta(ctx);
    case Operation::ProcessObject: return process_object(ctx);
    case Operation::DeleteObject: return delete_object(ctx);
    case Operation::AppendObject: return append_object(ctx);
    case Operation::GetObjectAcl: return get_object_acl(ctx);
    case Operation::PutObjectAcl: return put_object_acl(ctx);
    case Operation::GetObjectTagging: return get_object_tagging(ctx);
    case Operation::PutObjectTagging: return put_object_tagging(ctx);
    case Operation::DeleteObjectTagging: return delete_object_tagging(ctx);
    case Operation::InitiateMultipartUpload: return initiate_multipart_upload(ctx);
    case Operation::UploadPart: return upload_part(ctx);
    case Operation::UploadPartCopy: return upload_part_copy(ctx);
    case Operation::CompleteMultipartUpload: return complete_multipart_upload(ctx);
    case Operation::AbortMultipartUpload: return abort_multipart_upload(ctx);
    case Operation::ListParts: return list_parts(ctx);
  }
  return list_buckets(ctx);  // unreachable: the switch is exhaustive (-Wswitch)
}

}  // namespace ossd::api
