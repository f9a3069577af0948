// A tiny PNG encoder (node's zlib for the deflate stream), so the image
// suites make their own inputs without ossd or an image library: plain
// RGB/RGBA images, and hostile ones (a header that claims more pixels than
// the data holds, truncated files).
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function ihdr(width, height, channels) {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = channels === 4 ? 6 : 2; // colour type: RGBA or RGB
  data[10] = 0; // deflate
  data[11] = 0; // adaptive filtering
  data[12] = 0; // no interlace
  return chunk('IHDR', data);
}

// Raw scanlines (filter byte 0 then the pixels) for rows [0, rows).
function scanlines(width, rows, channels, pixel) {
  const stride = width * channels + 1;
  const raw = Buffer.alloc(stride * rows);
  for (let y = 0; y < rows; y++) {
    raw[y * stride] = 0;
    for (let x = 0; x < width; x++) {
      const px = pixel(x, y);
      const at = y * stride + 1 + x * channels;
      for (let c = 0; c < channels; c++) raw[at + c] = px[c] ?? 255;
    }
  }
  return raw;
}

// A gradient that differs along both axes, so crops and flips are visible.
export function gradient(width, height) {
  return (x, y) => [
    Math.round((x * 255) / Math.max(1, width - 1)),
    Math.round((y * 255) / Math.max(1, height - 1)),
    128,
    255,
  ];
}

export function solid(r, g, b, a = 255) {
  return () => [r, g, b, a];
}

// encodePng({width, height, channels: 3|4, pixel: (x, y) => [r, g, b, a]}) -> Buffer.
export function encodePng({ width, height, channels = 3, pixel = gradient(width, height) }) {
  const raw = scanlines(width, height, channels, pixel);
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height, channels),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// A PNG whose header claims width x height but whose data holds only the
// first `rows` rows: a decompression bomb's shape, a few KB on the wire.
export function claimedSizePng(width, height, rows = 4) {
  const raw = scanlines(width, rows, 3, solid(200, 10, 10));
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height, 3),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Reads width and height from a PNG's IHDR (for checks on our own inputs).
export function pngSize(buf) {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

// Decodes an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA; the
// forms libvips writes for those images) to {width, height, channels, data},
// for pixel checks on results; throws on anything else.
export function decodePng(buf) {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let off = 8;
  let header = null;
  const idat = [];
  while (off < buf.length) {
    const length = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + length);
    if (type === 'IHDR') {
      header = {
        width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8], colour: data[9], interlace: data[12],
      };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    off += 12 + length;
  }
  if (!header) throw new Error('PNG without IHDR');
  const channelsByColour = { 0: 1, 4: 2, 2: 3, 6: 4 };
  const channels = channelsByColour[header.colour];
  if (header.depth !== 8 || !channels || header.interlace !== 0) {
    throw new Error(`unsupported PNG (depth ${header.depth}, colour ${header.colour}, interlace ${header.interlace})`);
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const { width, height } = header;
  const stride = width * channels;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? data[y * stride + i - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? data[(y - 1) * stride + i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      data[y * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  return {
    width, height, channels, data,
    // [r, g, b, a] of one pixel (grey expands to r = g = b).
    pixel(x, y) {
      const at = (y * width + x) * channels;
      const v = [...data.subarray(at, at + channels)];
      if (channels === 1) return [v[0], v[0], v[0], 255];
      if (channels === 2) return [v[0], v[0], v[0], v[1]];
      if (channels === 3) return [...v, 255];
      return v;
    },
  };
}

// An animated GIF of `frames` frames on a width x height screen, each frame a
// single 1x1 pixel (a few dozen bytes), so a small file can claim
// width x height x frames pixels: the animated form of a decompression bomb.
export function manyFrameGif(width, height, frames) {
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(width, 6);
  screen.writeUInt16LE(height, 8);
  screen[10] = 0x80; // global colour table of 2 entries
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0x00, 0x00, 0x00]);
  const frame = Buffer.from([
    0x21, 0xf9, 0x04, 0x04, 0x01, 0x00, 0x00, 0x00, // graphic control: keep previous, 10 ms
    0x2c, 0, 0, 0, 0, 0x01, 0x00, 0x01, 0x00, 0x00, // image descriptor: 1x1 at 0,0
    // LZW, minimum code size 2: clear (4), index 0, end (5) in 3-bit codes.
    0x02, 0x02, 0x44, 0x01, 0x00,
  ]);
  return Buffer.concat([screen, palette, loop, ...Array(frames).fill(frame), Buffer.from([0x3b])]);
}
