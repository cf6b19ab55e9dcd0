// Helpers for tests that use a real archive produced by the simulator: end a conference, wait
// for the record to read AVAILABLE, and resolve the signed storage URL of its download. Plain
// fetch against the documented routes (sim/README.md, "Archives"): the SDK's archive client
// methods are not what these tests test.
const ARCHIVES = "/api/v2/communication/archives/archives";

/** Ends a conference on `sim` and resolves to `{ archiveId, record, url }` once it is AVAILABLE. */
export async function simArchive(sim, apiKey, { sizeBytes = 300_000 } = {}) {
  const { archiveId } = await sim.endConference({ sizeBytes });
  const deadline = Date.now() + 60_000;
  let record;
  for (;;) {
    const res = await fetch(`${sim.url}${ARCHIVES}/${archiveId}`, { headers: { "api-key": apiKey } });
    if (!res.ok) throw new Error(`getArchive: ${res.status} ${await res.text()}`);
    record = await res.json();
    if (record.status === "AVAILABLE") break;
    if (record.status === "FAILED" || Date.now() > deadline) throw new Error(`archive ${archiveId} is ${record.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const res = await fetch(`${sim.url}${ARCHIVES}/${archiveId}/download`, { headers: { "api-key": apiKey }, redirect: "manual" });
  if (res.status !== 302) throw new Error(`downloadArchive: ${res.status} ${await res.text()}`);
  return { archiveId, record, url: res.headers.get("location") };
}

/** An ArchiveRangeSource over HTTP range requests (no key: the signed URL is the credential). */
export function httpRangeSource(url, size) {
  const source = {
    size,
    requests: 0,
    async read(offset, length) {
      source.requests++;
      const res = await fetch(url, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
      if (res.status !== 206) throw new Error(`range read: ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
  return source;
}
