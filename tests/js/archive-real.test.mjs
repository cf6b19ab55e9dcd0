// A real archive, produced by the simulator: downloaded and verified with verifyStream against
// the record's sha256CheckSum, then inspected from the file on disk and by HTTP range requests.
import assert from "node:assert/strict";
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, test } from "node:test";

import { ArchiveChecksum, ArchiveInspector, isDownloadable, isTerminal } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";
import { httpRangeSource, simArchive } from "./archive-sim.mjs";

let sim;
let key;
before(async () => {
  sim = await startSim();
  key = await sim.apiKey("admin");
});
after(() => sim?.stop());

test("a simulator archive: verifyStream over the download, then the inspector from disk and by ranges", { timeout: 90_000 }, async () => {
  const { record, url } = await simArchive(sim, key, { sizeBytes: 3_000_000 });
  assert.equal(isDownloadable(record.status), true);
  assert.equal(isTerminal(record.status), false);
  const file = join(mkdtempSync(join(tmpdir(), "flexperto-real-")), "archive.zip");

  // Verify while saving: one pass over the body.
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const [forHash, forDisk] = res.body.tee();
  const progress = [];
  const [verified] = await Promise.all([
    ArchiveChecksum.verifyStream(forHash, record.sha256CheckSum, { onProgress: ({ bytes }) => progress.push(bytes) }),
    pipeline(Readable.fromWeb(forDisk), createWriteStream(file)),
  ]);
  assert.deepEqual(verified, { sha256: record.sha256CheckSum, bytes: record.sizeBytes });
  assert.equal(progress.at(-1), record.sizeBytes);

  const a = await ArchiveInspector.open(file);
  assert.deepEqual(a.findings, []);
  assert.deepEqual(a.folders.themis.map((e) => e.name), [
    "themis/metadata.json", "themis/chat.json", "themis/uploads/id-card.png", "themis/recordings/recording-0001.mp4",
  ]);
  assert.deepEqual(a.folders.mithra.map((e) => e.name), ["mithra/contract-0001.pdf"]);
  assert.deepEqual(a.folders.whiteboard.map((e) => e.name), ["whiteboard/events.json"]);
  const metadata = await a.metadata();
  assert.equal(metadata.conferenceId, record.subject.conference_id);
  assert.match(metadata.startedAt, /^\d{4}-\d\d-\d\dT/);
  assert.ok(Array.isArray(metadata.participants));
  const chat = await a.chat();
  assert.ok(chat.messages.length > 0 && chat.messages.every((m) => typeof m.text === "string"));
  await a.close();

  // The same from object storage by range requests: a few KB, never the recording.
  const source = httpRangeSource(url, record.sizeBytes);
  const b = await ArchiveInspector.open(source);
  assert.deepEqual(await b.metadata(), metadata);
  const ranged = (await sim.storageRequests()).filter((r) => r.status === 206);
  assert.equal(ranged.length, source.requests);
  assert.ok(source.requests <= 6, `${source.requests} range requests`);
  const bytes = ranged.map((r) => r.headers.find(([n]) => n === "range")[1].match(/^bytes=(\d+)-(\d+)$/))
    .reduce((n, [, a, b]) => n + Number(b) - Number(a) + 1, 0);
  assert.ok(bytes < 100_000, `${bytes} bytes read by range`);
  // The api-key never reached the storage origin.
  assert.ok((await sim.storageRequests()).every((r) => !r.headers.some(([n]) => n === "api-key")));
});
