#pragma once
// CRC-64/XZ (what OSS calls x-oss-hash-crc64ecma), computed with ISA-L.
#include <cstdint>
#include <span>

namespace ossd::crypto {

// Continues a CRC: crc64_update(crc64_update(0, a), b) == crc64 of a||b.
uint64_t crc64_update(uint64_t crc, std::span<const char> data);

// CRC of a||b from crc(a), crc(b) and len(b), without reading the bytes:
// how multipart and append objects get their whole-object CRC.
uint64_t crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b);

}  // namespace ossd::crypto
