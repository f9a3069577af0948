// Independent CRC-64/XZ (the OSS x-oss-hash-crc64ecma) for checking the
// server's header: reflected poly 0xC96C5795D7870F42, init/xorout all ones.
// Table-driven (32-bit halves), only used on test-sized data.
const POLY = 0xC96C5795D7870F42n;
const MASK = 0xFFFFFFFFFFFFFFFFn;
const TABLE = (() => {
  const t = new Array(256);
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = (c & 1n) ? (c >> 1n) ^ POLY : c >> 1n;
    t[i] = c;
  }
  return t;
})();

// Split into two 32-bit halves for speed on larger buffers.
const LO = new Uint32Array(256);
const HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) { LO[i] = Number(TABLE[i] & 0xFFFFFFFFn); HI[i] = Number(TABLE[i] >> 32n); }

export function crc64(buf, prev = '0') {
  let c = (BigInt(prev) ^ MASK) & MASK;
  let lo = Number(c & 0xFFFFFFFFn) >>> 0;
  let hi = Number(c >> 32n) >>> 0;
  for (let i = 0; i < buf.length; i++) {
    const idx = (lo ^ buf[i]) & 0xFF;
    // c = TABLE[idx] ^ (c >> 8)
    const nlo = ((lo >>> 8) | (hi << 24)) >>> 0;
    const nhi = hi >>> 8;
    lo = (LO[idx] ^ nlo) >>> 0;
    hi = (HI[idx] ^ nhi) >>> 0;
  }
  c = ((BigInt(hi) << 32n) | BigInt(lo)) ^ MASK;
  return (c & MASK).toString(10);
}
