// The generated corpus of callback URLs shared by tests/js/url-corpus.test.mjs (Node's URL
// against the installed package) and tests/url_corpus.rs (Node's URL against the url crate the
// native build parses with). Run directly, it prints each URL, Node's host and the rule Node's
// parsed values decide (parsedRule) as JSON lines.
//
// Held against outside corpora once (2026-11-30, kept out of the repository): WPT's url tests
// (urltestdata.json: 891 inputs, and the 274 that parse against their base as Node's href;
// toascii.json: 87 and IdnaTestV2.json: 2671 hosts, each as https://<host>/cb/<secret> and
// https://<host>/x), 6681 URLs, Node 20's `new URL()` as the oracle.
// - The package (wasm, the platform's URL): 462 disagreed before (a URL Node parses but the SDK
//   refused by its own spelling rule or for its scheme named no host: 301 inputs, 161 resolved);
//   after: 6681 agree, and every scheme and credential refusal matches Node's parsed values.
// - Native (the url crate): the same 462 fixed; 195 left, none about an address: 17 `file:`
//   URLs with a drive letter whose host the url crate drops; 170 hosts (85, twice) with code
//   points whose UTS #46 status changed in Unicode 15.1/16, where the url crate gives what WPT
//   expects and Node 20 does not (ẞ.com is xn--zca.com, not ss.com); 4 `xn--…-` labels only the
//   url crate refuses; 4 (one host twice, twice) with an unassigned code point that WPT and Node
//   refuse and the url crate accepts. The first three classes are sampled below.
import { pathToFileURL } from "node:url";

export const SECRET = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";

// A small deterministic PRNG (mulberry32), so a failure names a case that comes back.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261129);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// ---- IPv4 numbers in every spelling ---------------------------------------------------------
const BASES = [
  0x7f000001, 0x0a000001, 0x00000000, 0xffffffff, 0xa9fea9fe, 0x64400001, 0xc0a80101, 0xac100001,
  0xc0000008, 0xe0000001, 0x08080808, 0x5db8d70e, 0x01020304, 0x7f7f7f7f, 0x80000000, 0x00ffffff,
];
for (let i = 0; i < 8; i++) BASES.push(Math.floor(rand() * 2 ** 32));

function spell(n, radix, variant) {
  if (radix === 16) {
    const h = n.toString(16);
    return ["0x", "0X"][variant % 2] + (variant & 2 ? h.toUpperCase() : h) + "";
  }
  if (radix === 8) return "0" + n.toString(8);
  return n.toString(10);
}

// The splits of a 32-bit number into 1..4 parts, the last part taking the remaining bytes.
function splits(v) {
  const b = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return [
    [v >>> 0],
    [b[0], v & 0xffffff],
    [b[0], b[1], v & 0xffff],
    b,
  ];
}

function ipv4Hosts() {
  const out = new Set();
  for (const v of BASES) {
    for (const parts of splits(v)) {
      for (const radix of [10, 8, 16]) {
        for (let variant = 0; variant < 4; variant++) {
          out.add(parts.map((p) => spell(p, radix, variant)).join("."));
        }
      }
      // Mixed radixes, leading zeros, a trailing dot.
      for (let k = 0; k < 6; k++) {
        const h = parts.map((p) => spell(p, pick([10, 8, 16]), Math.floor(rand() * 4))).join(".");
        out.add(h);
        out.add(h + ".");
        out.add(parts.map((p) => "0".repeat(1 + Math.floor(rand() * 3)) + p.toString(8)).join("."));
        out.add(parts.map((p) => "0x" + "0".repeat(Math.floor(rand() * 4)) + p.toString(16)).join("."));
      }
    }
  }
  // Overflow and malformed numbers: a non-last part above 255, a last part too wide for the
  // bytes left, 2^32 and above, five parts, empty parts, bad digits.
  const bad = [
    "256.0.0.1", "1.256.0.1", "1.2.256.1", "1.2.3.256", "1.2.65536", "1.16777216", "4294967296",
    "4294967295", "0x100000000", "0x1ffffffff", "040000000000", "037777777777", "1.2.3.4.5",
    "1..2.3", ".1.2.3", "1.2.3..", "0x", "0x.0x.0x.0x", "09.0.0.1", "08", "0xg", "1.2.3.0xg",
    "99999999999999999999", "0x" + "f".repeat(40), "0" + "7".repeat(30), "1.2.3.4.", "1.2.3.4..",
    "1e3", "-1.0.0.1", "+1.0.0.1", "1.2.3.04", "1.2.3.0x04", "0.0.0.0", "0", "0.0", "00", "0x0",
  ];
  for (const b of bad) out.add(b);
  for (let i = 0; i < 300; i++) {
    const parts = Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
      spell(Math.floor(rand() ** 3 * 2 ** (8 + Math.floor(rand() * 28))), pick([10, 8, 16]), Math.floor(rand() * 4)));
    out.add(parts.join("."));
  }
  return [...out];
}

// ---- digits and dots from other Unicode blocks -----------------------------------------------
const DIGIT_BLOCKS = [
  0xff10, // fullwidth
  0x1d7ce, // mathematical bold
  0x1d7d8, // mathematical double-struck
  0x1d7e2, // mathematical sans-serif
  0x1d7ec, // mathematical sans-serif bold
  0x1d7f6, // mathematical monospace
  0x0660, // Arabic-Indic
  0x06f0, // extended Arabic-Indic
  0x0966, // Devanagari
  0x09e6, // Bengali
  0x0e50, // Thai
  0x1fbf0, // segmented digits
];
const SUPER = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];
const SUB = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"];
const CIRCLED = ["⓪", "①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨"];
const DOTS = [".", "。", "．", "｡"];

function unicodeHosts(ascii) {
  const out = new Set();
  for (const h of ascii) {
    for (const base of DIGIT_BLOCKS) {
      out.add(h.replace(/[0-9]/g, (d) => String.fromCodePoint(base + Number(d))));
    }
    for (const table of [SUPER, SUB, CIRCLED]) out.add(h.replace(/[0-9]/g, (d) => table[Number(d)]));
    out.add(h.replace(/\./g, () => pick(DOTS)));
    out.add(h.replace(/x/gi, "ｘ").replace(/[0-9]/g, (d) => String.fromCodePoint(0xff10 + Number(d))));
    // Some digits mapped, some not.
    out.add(h.replace(/[0-9]/g, (d) => (rand() < 0.5 ? d : String.fromCodePoint(pick(DIGIT_BLOCKS) + Number(d)))));
    // Ignored code points (soft hyphen, zero-width joiner) and a combining mark.
    out.add(h.replace(".", ".\u00ad"));
    out.add(h.replace(".", "\u200d."));
    out.add(h + "\u0301");
  }
  return [...out];
}

// ---- percent-encoding ------------------------------------------------------------------------
const pct = (s) => [...new TextEncoder().encode(s)].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");
function percentHosts(ascii) {
  const out = new Set();
  for (const h of ascii) {
    out.add(pct(h));
    out.add(pct(h).toLowerCase());
    out.add([...h].map((c) => (rand() < 0.4 ? pct(c) : c)).join(""));
    out.add(h.replace(/\./g, "%2E"));
    out.add(pct(h.replace(/[0-9]/g, (d) => String.fromCodePoint(0xff10 + Number(d)))));
  }
  for (const h of ["%5B::1%5D", "%5b::1%5d", "[::1%5D", "%5B::1]", "%", "%2", "%zz", "%00", "%20", "127.0.0.1%00",
    "%3A%3A1", "crm%2Eexample%2Ecom", "%63rm.example.com", "%E2%91%A0%E2%91%A1%E2%91%A6.0.0.1", "%C0%AE", "%FF",
    "exa%6dple.com", "127%2E0%2E0%2E1", "%30x7f.1", "%31%32%37%2E%31"]) out.add(h);
  return [...out];
}

// ---- IPv6 -------------------------------------------------------------------------------------
function v6Groups(rnd) {
  return Array.from({ length: 8 }, () => Math.floor(rnd() * 65536));
}
function v6Spellings(g) {
  const hex = g.map((x) => x.toString(16));
  const out = [hex.join(":"), hex.join(":").toUpperCase(), g.map((x) => x.toString(16).padStart(4, "0")).join(":")];
  // Every compression of a run of zero groups, and of forced runs.
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j <= 8; j++) {
      if (g.slice(i, j).every((x) => x === 0)) out.push(`${hex.slice(0, i).join(":")}::${hex.slice(j).join(":")}`);
    }
  }
  // Embedded IPv4 in the last 32 bits.
  const v4 = [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255].join(".");
  out.push(`${hex.slice(0, 6).join(":")}:${v4}`);
  return out;
}
function ipv6Hosts() {
  const out = new Set();
  const fixed = [
    [0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1],
    [0, 0, 0, 0, 0, 0xffff, 0x0808, 0x0808], [0, 0, 0, 0, 0, 0, 0x7f00, 1], [0x64, 0xff9b, 0, 0, 0, 0, 0xa9fe, 0xa9fe],
    [0xfe80, 0, 0, 0, 0, 0, 0, 1], [0xfd00, 0, 0, 0, 0, 0, 0, 1], [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1],
    [0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111], [0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888],
    [0x100, 0, 0, 1, 0, 0, 0, 1], [0x3fff, 0, 0, 0, 0, 0, 0, 1], [0x5f00, 0, 0, 0, 0, 0, 0, 1], [0xff02, 0, 0, 0, 0, 0, 0, 1],
  ];
  const all = [...fixed];
  for (let i = 0; i < 60; i++) {
    const g = v6Groups(rand);
    // Zero runs of random length and place, so that compression applies.
    const at = Math.floor(rand() * 8);
    const len = Math.floor(rand() * (8 - at));
    for (let k = at; k < at + len; k++) g[k] = 0;
    all.push(g);
  }
  for (const g of all) for (const s of v6Spellings(g)) out.add(`[${s}]`);
  for (const h of [
    "[::1%25eth0]", "[fe80::1%eth0]", "[fe80::1%251]", "[::1", "::1]", "[::1]]", "[[::1]]", "[:::1]", "[1::2::3]",
    "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[00001::1]", "[::ffff:127.0.0.01]", "[::ffff:0x7f.0.0.1]",
    "[::ffff:127.1]", "[::ffff:127.0.0.1.]", "[::ffff:256.0.0.1]", "[::1.2.3.4:5]", "[1.2.3.4]", "[v1.fe]",
    "[::１]", "[０::1]", "[::%31]", "[ ::1]", "[::ｆｆｆｆ:127.0.0.1]", "[::ffff:１２７.0.0.1]", "[]", "[:]", "[::]",
    "[0::0:0]", "[::0.0.0.0]", "[::FFFF:1.2.3.4]", "[64:ff9b::1.2.3.4]", "[2001:db8::1.2.3.4]",
  ]) out.add(h);
  return [...out];
}

// ---- names ------------------------------------------------------------------------------------
const NAMES = [
  "crm.example.com", "CRM.Example.COM", "localhost", "LOCALHOST", "localhost.", "a.localhost", "ｌｏｃａｌｈｏｓｔ",
  "xn--bcher-kva.example", "bücher.example", "example.1", "example.0x7f", "1.2.3.4.example", "0x7f.example",
  "example.com.", "a..b", "-a.example", "a-.example", "xn--a.example", "xn--.example", "ex ample.com", "exa_mple.com",
  "exa*mple.com", "例え.テスト", "ＥＸＡＭＰＬＥ.com", "e\u0301xample.com", "ß.example", "ς.example", "\u200cexample.com",
  "a".repeat(63) + ".com", "a".repeat(64) + ".com", ("a".repeat(50) + ".").repeat(5) + "com", "1.2.3.4a", "0x7f.1a",
  "%6c%6f%63%61%6c%68%6f%73%74", "١٢٧.٠.٠.١", "127.0.0.1.nip.io", "0177.0.0.1.example",
  // Code points whose UTS #46 status changed in Unicode 15.1/16 (WPT's toascii.json has the
  // kind): Node 20's parser and the url crate read them by different tables (tests/url_corpus.rs).
  "xn--ascii-.example", "ẞ.example", "FAẞ.example", "look\u180eout.example", "look\u206bout.example", "Ӏ.example", "Ↄ.example",
];

// ---- spellings and schemes decided after parsing ---------------------------------------------
// Found by running WPT's url corpus (urltestdata.json) against the package: a URL Node parses but
// the SDK refuses by its own rule (white space, backslashes, `https:host` without `//`, an empty
// `@`, another scheme) must still name Node's host, and the scheme and credential rules must be
// decided on the parsed values, before the SDK's own spelling rules.
const SCHEMES = ["http", "HTTP", "ftp", "ws", "wss", "file", "foo", "non-special", "git+https", "javascript", "data", "mailto", "blob", "sc"];
function spellings(hosts) {
  const out = new Set();
  const p = `/cb/${SECRET}`;
  for (const h of hosts) {
    const around = [
      `https://${h}\t${p}`, `https://\n${h}${p}`, `https://${h.slice(0, 1)}\t${h.slice(1)}${p}`, `https://${h}${p}\r\n`,
      ` https://${h}${p}`, `https://${h}${p} `, `\u0000https://${h}${p}`, `\u001fhttps://${h}${p}\u0000`, `https://${h}/c b/${SECRET}`,
      `https:${h}${p}`, `https:/${h}${p}`, `https:///${h}${p}`, `https:\\\\${h}${p}`, `https://${h}\\cb\\${SECRET}`,
      `https:\\/${h}${p}`, `https://${h}\\@evil.example${p}`, `HtTpS://${h}${p}`, `https://${h}${p}#a\\b`,
      `https://@${h}${p}`, `https://:@${h}${p}`, `https://u@${h}${p}`, `https://u:p@${h}${p}`, `https://:p@${h}${p}`,
      `https://u:@${h}${p}`, `https://a@b@${h}${p}`, `https://%40@${h}${p}`, `https:u:p@${h}${p}`, `https:\\\\u@${h}${p}`,
      `http://@${h}${p}`, `http://u:p@${h}${p}`, `http:${h}${p}`, `http://${h}\t${p}`,
    ];
    for (const u of around) out.add(u);
    for (const sc of SCHEMES) {
      out.add(`${sc}://${h}${p}`);
      out.add(`${sc}:${h}${p}`);
      out.add(`${sc}://u:p@${h}${p}`);
    }
  }
  for (const u of ["mailto:a@b.example", "file:///etc/passwd", "file://host/C:/x", "foo:/bar.com/", "foo://", "javascript:alert(1)",
    "data:text/plain,x", "blob:https://crm.example.com/x", "about:blank", "a:\t foo.com", "sc://ñ/x", "sc://%/", "sc://x:65536/"]) out.add(u);
  return [...out];
}

const PORTS = ["", ":", ":0", ":443", ":8443", ":65535", ":65536", ":99999", ":00080", ":+1", ":a", ":１", ":443 ", ":-1", ":4294967297"];

// What Node's parsed values alone decide (the scheme and credential rules), or null.
export function parsedRule(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== "https:") return "NOT_HTTPS";
  if (u.username !== "" || u.password !== "") return "CREDENTIALS_IN_URL";
  return null;
}

export function corpus() {
  const ascii4 = ipv4Hosts();
  const sample = ascii4.filter(() => rand() < 0.25);
  const hosts = [...ascii4, ...unicodeHosts(sample), ...percentHosts(sample), ...ipv6Hosts(), ...NAMES];
  const urls = new Set();
  for (const h of hosts) {
    urls.add(`https://${h}/cb/${SECRET}`);
    urls.add(`https://${h}${pick(PORTS)}/cb/${SECRET}`);
  }
  for (const p of PORTS) for (const h of ["127.0.0.1", "8.8.8.8", "[::1]", "crm.example.com"]) urls.add(`https://${h}${p}/cb/${SECRET}`);
  const spelled = ["127.0.0.1", "0x7f.1", "10.0.0.1", "8.8.8.8", "0x8.0x8.0x8.0x8", "１２７.0.0.1", "[::1]", "[::ffff:8.8.8.8]",
    "[2001:4860:4860::8888]", "crm.example.com", "localhost", "bücher.example", ...sample.filter(() => rand() < 0.1)];
  for (const u of spellings(spelled)) urls.add(u);
  return [...urls];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const lines = [];
  for (const url of corpus()) {
    let host = null;
    try {
      host = new URL(url).hostname;
    } catch {
      // refused by Node
    }
    lines.push(JSON.stringify([url, host, parsedRule(url)]));
  }
  process.stdout.write(lines.join("\n") + "\n");
}
