// A small zip writer for the archive tests (stored and deflated entries, optional zip64), and a
// range source over a sparse "virtual" file (zeros except where bytes were written), so that a
// zip64 archive with a 5 GiB recording can be inspected without writing 5 GiB.
import { deflateRawSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };

/**
 * Writes a zip. `entries`: [{ name, data?, deflate?, virtualSize? }] (virtualSize: a stored entry
 * of that many zero bytes, not materialised; forces zip64). Returns { segments, size, source(), bytes() }.
 */
export function writeZip(entries, { zip64 = false } = {}) {
  const segments = []; // [offset, Buffer]
  let at = 0;
  const put = (buf) => { segments.push([at, buf]); at += buf.length; };
  const central = [];
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    const big = e.virtualSize !== undefined;
    const size = big ? e.virtualSize : data.length;
    const payload = big ? null : e.deflate ? deflateRawSync(data) : data;
    const csize = big ? size : payload.length;
    const crc = e.crc ?? (big ? 0 : crc32(data));
    const method = e.deflate ? 8 : 0;
    const z = zip64 || big;
    const offset = at;
    const sat = (v) => (z ? 0xffffffff : v);
    const localExtra = z ? Buffer.concat([u16(1), u16(16), u64(size), u64(csize)]) : Buffer.alloc(0);
    put(Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), u16(45), u16(0x800), u16(method), u32(0x210000), u32(crc),
      u32(sat(csize)), u32(sat(size)), u16(name.length), u16(localExtra.length), name, localExtra]));
    if (big) at += csize; else put(payload);
    const extra = z ? Buffer.concat([u16(1), u16(24), u64(size), u64(csize), u64(offset)]) : Buffer.alloc(0);
    central.push(Buffer.concat([Buffer.from("PK\x01\x02", "latin1"), u16(0x031e), u16(45), u16(0x800), u16(method), u32(0x210000), u32(crc),
      u32(sat(csize)), u32(sat(size)), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(0), u32(sat(offset)), name, extra]));
  }
  const cd = Buffer.concat(central);
  const cdOffset = at;
  put(cd);
  const n = entries.length;
  const big = zip64 || entries.some((e) => e.virtualSize !== undefined);
  if (big) {
    const recordOffset = at;
    put(Buffer.concat([Buffer.from("PK\x06\x06", "latin1"), u64(44), u16(45), u16(45), u32(0), u32(0), u64(n), u64(n), u64(cd.length), u64(cdOffset)]));
    put(Buffer.concat([Buffer.from("PK\x06\x07", "latin1"), u32(0), u64(recordOffset), u32(1)]));
  }
  put(Buffer.concat([Buffer.from("PK\x05\x06", "latin1"), u16(0), u16(0), u16(big ? 0xffff : n), u16(big ? 0xffff : n),
    u32(big ? 0xffffffff : cd.length), u32(big ? 0xffffffff : cdOffset), u16(0)]));
  const size = at;
  return {
    segments,
    size,
    /** The whole file (small archives only). */
    bytes() {
      const out = Buffer.alloc(size);
      for (const [o, b] of segments) b.copy(out, o);
      return out;
    },
    /** A range source over the (sparse) file, counting the bytes read. */
    source() {
      const src = {
        size,
        bytesRead: 0,
        async read(offset, length) {
          src.bytesRead += length;
          const out = Buffer.alloc(length);
          for (const [o, b] of segments) {
            const from = Math.max(o, offset);
            const to = Math.min(o + b.length, offset + length);
            if (from < to) b.copy(out, from - offset, from - o, to - o);
          }
          return out;
        },
      };
      return src;
    },
  };
}

export const METADATA = {
  tenantId: "demo",
  conferenceId: "conf_1",
  startedAt: "2026-11-02T09:00:00Z",
  endedAt: "2026-11-02T09:42:10Z",
  moderator: { accountId: "acc_1", email: "max@example.invalid", name: "Max Mustermann" },
  participants: [{ accountId: "acc_2", email: "kim@example.invalid", name: "Kim Berger", permissions: ["chat", "video"] }],
  recordingConsent: { given: true },
};

export const CHAT = {
  messages: [
    { sentAt: "2026-11-02T09:01:00Z", senderAccountId: "acc_1", senderName: "Max Mustermann", text: "Guten Morgen" },
    { sentAt: "2026-11-02T09:01:07Z", senderAccountId: "acc_2", senderName: "Kim Berger", text: "Hallo!" },
  ],
};

/** Entries shaped like the simulator's archives. */
export function sampleEntries({ metadata = METADATA, chat = CHAT, recording = { data: Buffer.alloc(4096, 7) } } = {}) {
  return [
    { name: "themis/metadata.json", data: JSON.stringify(metadata), deflate: true },
    { name: "themis/chat.json", data: JSON.stringify(chat), deflate: true },
    { name: "themis/uploads/offer.pdf", data: "%PDF-1.7 offer" },
    { name: "themis/recordings/recording-0001.mp4", ...recording },
    { name: "mithra/contract-0001.pdf", data: "%PDF-1.7 contract" },
    { name: "whiteboard/events.json", data: "[]", deflate: true },
  ];
}
