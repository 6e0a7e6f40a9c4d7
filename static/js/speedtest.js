// The browser speed test (LibreSpeed / ndt7 style), against this product's /speedtest/ endpoints.
// A pure module: no DOM, no text for people (the page translates); usable from any same-origin
// page:  const { runSpeedTest } = await import("/static/js/speedtest.js");
//
//   latency   a warm-up, then ~10 sequential GET ping: latency = the minimum round trip,
//             jitter = the mean absolute difference of consecutive samples (app/speedtest/units.py)
//   download  N parallel fetch streams of incompressible bytes, counted as they are read; the
//             first graceSeconds are discarded (TCP slow start); rate = bytes after the grace
//             point / time after it; sampled every 200 ms; streams aborted at the end
//   upload    parallel POSTs of random blobs to upload?run=TOKEN; the server counts what it reads
//             for that run, and the rate is the server's count (upload.php?run=TOKEN) read at the
//             grace point and at the end: never more than the server received
//
// Results are goodput (payload bits per second, decimal Mbps), no overhead factor.
// Requests are sized to the link (large download chunks, blobs of up to 32 MiB), so a run stays
// far below the server's per-client request limit (300 a minute).

export const TOOL_VERSION = "browser 1";

const MB = 1_000_000;
const MIB = 1024 * 1024;
const SAMPLE_MS = 200;
const PING_COUNT = 10;
const PING_TIMEOUT_MS = 5_000;
const COUNTER_TIMEOUT_MS = 5_000;
const COUNTER_EVERY_MS = 400; // the upload count is read this often (live progress, the end)
const STALL_MS = 8_000; // a stream that moves nothing this long is dropped and restarted
const MAX_DOWNLOAD_BYTES = 64 * MIB; // SPEEDTEST_MAX_DOWNLOAD_BYTES (a 400 tells the real cap)
const FIRST_DOWNLOAD_BYTES = 8 * MB;
const MAX_UPLOAD_BYTES = 32 * MIB; // SPEEDTEST_MAX_UPLOAD_BYTES
const FIRST_UPLOAD_BYTES = MIB;
const MIN_UPLOAD_BYTES = 256 * 1024;
const RANDOM_BLOCK = 4 * MIB; // generated once, repeated for larger blobs
const TARGET_REQUEST_S = 2; // size each request to last about this long
// HTTP/1.1 gives a page 6 connections per host: leave one free for the upload counter reads.
const MAX_UPLOAD_STREAMS = 5;
// Share of the whole run's progress bar per phase.
const SHARE = { latency: 0.06, download: 0.47, upload: 0.47 };

/** Why a run failed: code is "offline", "rate_limited", "server", "network" or "aborted". */
export class SpeedTestError extends Error {
  constructor(code, message, { status = 0, retryAfter = null } = {}) {
    super(message || code);
    this.name = "SpeedTestError";
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/**
 * Run latency, download and upload; resolves to
 * { download_mbps, upload_mbps, latency_ms, jitter_ms, download_bytes, upload_bytes,
 *   bytes_moved, duration_s, server, tool_version, upload_run, streams, samples } — or rejects with a
 * SpeedTestError. onProgress({ phase, mbps, fraction }) comes about every 200 ms; fraction is the
 * whole run's progress (0..1), mbps the running rate of the phase (latency: null).
 */
export async function runSpeedTest({
  base = "/speedtest/",
  streams = 6,
  seconds = 10,
  graceSeconds = 1.5,
  signal,
  onProgress,
} = {}) {
  const server = absoluteBase(base);
  const nStreams = clampInt(streams, 1, 16);
  const phaseS = Math.max(0.5, Number(seconds) || 10);
  const graceS = Math.min(Math.max(0, Number(graceSeconds) || 0), phaseS / 2);
  const progress = typeof onProgress === "function" ? onProgress : () => {};
  const started = performance.now();

  if (signal?.aborted) throw aborted();
  if (typeof navigator !== "undefined" && navigator.onLine === false) {
    throw new SpeedTestError("offline", "no network connection");
  }

  const report = (phase, mbps, phaseFraction) => {
    const before = { latency: 0, download: SHARE.latency, upload: SHARE.latency + SHARE.download };
    const fraction = Math.min(1, before[phase] + SHARE[phase] * Math.min(1, Math.max(0, phaseFraction)));
    try {
      progress({ phase, mbps: mbps === null ? null : round(mbps, 2), fraction });
    } catch {
      /* a broken progress callback must not stop the measurement */
    }
  };

  const latency = await measureLatency(server, signal, report);
  const download = await measureDownload(server, { nStreams, phaseS, graceS, signal, report });
  const upload = await measureUpload(server, {
    nStreams: Math.min(nStreams, MAX_UPLOAD_STREAMS),
    phaseS,
    graceS,
    signal,
    report,
  });
  report("upload", upload.mbps, 1);

  return {
    download_mbps: round(download.mbps, 2),
    upload_mbps: round(upload.mbps, 2),
    latency_ms: latency.latency_ms,
    jitter_ms: latency.jitter_ms,
    download_bytes: download.bytes,
    upload_bytes: upload.bytes,
    bytes_moved: download.bytes + upload.bytes,
    duration_s: round((performance.now() - started) / 1000, 2),
    server,
    tool_version: TOOL_VERSION,
    upload_run: upload.token, // GET upload.php?run=<this> gives the server's count
    streams: { download: nStreams, upload: Math.min(nStreams, MAX_UPLOAD_STREAMS) },
    samples: { latency: latency.samples, download_s: download.seconds, upload_s: upload.seconds },
  };
}

/** A run token as app/speedtest/counter.py wants it: [A-Za-z0-9_-]{16,64}; here 32 random. */
export function runToken(length = 32) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b & 63]).join("");
}

/** Latency = minimum, jitter = mean |difference| of consecutive samples (units.latency_stats). */
export function latencyStats(roundTripsMs) {
  if (!roundTripsMs.length) throw new Error("no round trips");
  let jitter = 0;
  for (let i = 1; i < roundTripsMs.length; i++) jitter += Math.abs(roundTripsMs[i] - roundTripsMs[i - 1]);
  if (roundTripsMs.length > 1) jitter /= roundTripsMs.length - 1;
  return { latency_ms: round(Math.min(...roundTripsMs), 2), jitter_ms: round(jitter, 2) };
}

// ---------------------------------------------------------------- latency

async function measureLatency(server, signal, report) {
  report("latency", null, 0);
  await ping(server, signal); // opens the connection; its time includes the handshake
  const samples = [];
  let failures = 0;
  while (samples.length < PING_COUNT) {
    try {
      samples.push(await ping(server, signal));
    } catch (error) {
      if (error instanceof SpeedTestError) throw error;
      if (++failures > 3) throw new SpeedTestError("network", "the latency requests failed");
    }
    report("latency", null, samples.length / PING_COUNT);
  }
  return { ...latencyStats(samples), samples: samples.length };
}

async function ping(server, signal) {
  const url = `${server}ping?r=${Math.random().toString(36).slice(2)}`;
  const t0 = performance.now();
  const response = await request(url, { signal, timeoutMs: PING_TIMEOUT_MS });
  const t1 = performance.now();
  await response.arrayBuffer().catch(() => null);
  return timedByBrowser(url) ?? t1 - t0;
}

/** The round trip as the browser's resource timing saw it (request sent to first byte). */
function timedByBrowser(url) {
  try {
    const entries = performance.getEntriesByName(url, "resource");
    const entry = entries[entries.length - 1];
    if (entry && entry.requestStart > 0 && entry.responseStart > entry.requestStart) {
      return entry.responseStart - entry.requestStart;
    }
  } catch {
    /* no resource timing here */
  }
  return null;
}

// ---------------------------------------------------------------- download

async function measureDownload(server, { nStreams, phaseS, graceS, signal, report }) {
  const stopper = new AbortController();
  const stopAll = () => stopper.abort();
  signal?.addEventListener("abort", stopAll, { once: true });
  let total = 0;
  let stopped = false;
  let fatal = null;
  let capBytes = MAX_DOWNLOAD_BYTES;
  let alive = nStreams;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;

  async function stream(index) {
    let size = FIRST_DOWNLOAD_BYTES;
    let failures = 0;
    while (!stopped) {
      const began = performance.now();
      let got = 0;
      try {
        const url = `${server}download?bytes=${Math.min(size, capBytes)}&r=${index}-${Math.random().toString(36).slice(2)}`;
        const response = await request(url, { signal: stopper.signal, timeoutMs: STALL_MS });
        const reader = response.body.getReader();
        let last = performance.now();
        const watchdog = setInterval(() => {
          if (performance.now() - last > STALL_MS) reader.cancel().catch(() => {});
        }, 1000);
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (stopped) break;
            total += value.byteLength;
            got += value.byteLength;
            last = performance.now();
          }
        } finally {
          clearInterval(watchdog);
          reader.cancel().catch(() => {});
        }
        failures = 0;
      } catch (error) {
        if (stopped || stopper.signal.aborted) return;
        if (error instanceof SpeedTestError) {
          if (error.code === "too_large" && error.maxBytes) {
            capBytes = error.maxBytes;
            continue;
          }
          if (error.code !== "network") {
            fatal ||= error;
            stopAll();
            return;
          }
        }
        if (++failures > 3) return; // this stream gives up; the others carry on
        await sleep(250 * failures);
        continue;
      }
      // Size the next request to last about TARGET_REQUEST_S at this stream's rate, and not
      // much longer than the time left (the transfer limit counts what is asked for).
      const took = Math.max(0.05, (performance.now() - began) / 1000);
      const perSecond = got / took;
      const left = Math.max(0.5, phaseS - elapsed() + 0.5);
      size = Math.round(Math.min(capBytes, Math.max(MIB, perSecond * Math.min(TARGET_REQUEST_S, left))));
    }
  }

  const running = Array.from({ length: nStreams }, (_, i) => stream(i).finally(() => (alive -= 1)));
  const result = await sample({
    phase: "download",
    phaseS,
    graceS,
    report,
    read: () => total,
    isDead: () => fatal !== null || signal?.aborted || (alive === 0 && total === 0),
  });
  stopped = true;
  stopAll();
  signal?.removeEventListener("abort", stopAll);
  await Promise.allSettled(running);
  if (signal?.aborted) throw aborted();
  if (fatal) throw fatal;
  if (total === 0) throw new SpeedTestError("network", "no data arrived");
  return { mbps: result.mbps, bytes: total, seconds: round(result.seconds, 2) };
}

/** Sample a byte count every 200 ms until the phase ends; the rate after the grace point. */
async function sample({ phase, phaseS, graceS, report, read, isDead }) {
  const t0 = performance.now();
  let grace = null; // { t, bytes } at the grace point
  const history = [];
  for (;;) {
    await sleep(SAMPLE_MS);
    const t = (performance.now() - t0) / 1000;
    const bytes = read();
    if (isDead()) return { mbps: 0, seconds: t };
    if (grace === null && t >= graceS) grace = { t, bytes };
    const mbps = grace && t > grace.t ? rate(bytes - grace.bytes, t - grace.t) : rate(bytes, t);
    history.push(mbps);
    report(phase, mbps, t / phaseS);
    if (t >= phaseS || (grace && stable(history, t - grace.t, phaseS - graceS))) {
      if (!grace || t <= grace.t) return { mbps: rate(bytes, t), seconds: t };
      return { mbps: rate(bytes - grace.bytes, t - grace.t), seconds: t - grace.t };
    }
  }
}

/** Fast, steady links may stop early: the running rate moved under 2 % over the last 2 s. */
function stable(history, measuredS, plannedS) {
  if (plannedS < 6 || measuredS < Math.max(4, plannedS * 0.5)) return false;
  const recent = history.slice(-10);
  const last = recent[recent.length - 1];
  return last > 0 && recent.every((v) => Math.abs(v - last) <= 0.02 * last);
}

// ---------------------------------------------------------------- upload

async function measureUpload(server, { nStreams, phaseS, graceS, signal, report }) {
  const token = runToken();
  const counterUrl = () => `${server}upload.php?run=${token}&r=${Math.random().toString(36).slice(2)}`;
  const block = randomBlock(RANDOM_BLOCK);
  const stopper = new AbortController();
  const stopAll = () => stopper.abort();
  signal?.addEventListener("abort", stopAll, { once: true });
  let stopping = false;
  let fatal = null;
  let attempted = 0;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;

  async function stream() {
    let size = FIRST_UPLOAD_BYTES;
    let failures = 0;
    while (!stopping) {
      const began = performance.now();
      try {
        attempted += size;
        const response = await request(`${server}upload?run=${token}`, {
          method: "POST",
          body: blobOf(block, size),
          headers: { "Content-Type": "application/octet-stream" },
          signal: stopper.signal,
          timeoutMs: null,
        });
        await response.arrayBuffer().catch(() => null);
        failures = 0;
      } catch (error) {
        if (stopping || stopper.signal.aborted) return;
        if (error instanceof SpeedTestError && error.code !== "network") {
          fatal ||= error;
          return;
        }
        if (++failures > 3) return;
        await sleep(250 * failures);
        continue;
      }
      const took = Math.max(0.05, (performance.now() - began) / 1000);
      const perSecond = size / took;
      const left = Math.max(0.5, phaseS - elapsed() + 0.5);
      size = Math.round(
        Math.min(MAX_UPLOAD_BYTES, Math.max(MIN_UPLOAD_BYTES, perSecond * Math.min(TARGET_REQUEST_S, left))),
      );
    }
  }

  // The server's count, timed at the middle of the request that read it.
  async function count() {
    const sent = performance.now();
    const response = await request(counterUrl(), { signal, timeoutMs: COUNTER_TIMEOUT_MS });
    const text = await response.text();
    const got = performance.now();
    const match = /size=(\d+)/.exec(text);
    if (!match) throw new SpeedTestError("server", "the server's upload count was unreadable");
    return { t: ((sent + got) / 2 - t0) / 1000, bytes: Number(match[1]) };
  }

  const running = Array.from({ length: nStreams }, () => stream());
  let grace = null;
  let latest = { t: 0, bytes: 0 };
  let end = null;
  try {
    while (end === null) {
      const tick = performance.now();
      if (fatal) break;
      if (signal?.aborted) throw aborted();
      let reading = null;
      try {
        reading = await count();
      } catch (error) {
        if (error instanceof SpeedTestError && error.code !== "network") throw error;
        if (signal?.aborted) throw aborted();
      }
      if (reading) {
        latest = reading;
        if (grace === null && reading.t >= graceS) grace = reading;
        const mbps =
          grace && reading.t > grace.t
            ? rate(reading.bytes - grace.bytes, reading.t - grace.t)
            : rate(reading.bytes, Math.max(reading.t, 0.05));
        report("upload", mbps, elapsed() / phaseS);
        if (elapsed() >= phaseS && grace && reading !== grace) end = reading;
      }
      if (end === null && elapsed() >= phaseS + 10) {
        throw new SpeedTestError("network", "the server's upload count did not answer");
      }
      if (end === null) await sleep(Math.max(0, COUNTER_EVERY_MS - (performance.now() - tick)));
    }
  } finally {
    stopping = true;
    stopAll();
    signal?.removeEventListener("abort", stopAll);
    await Promise.allSettled(running);
  }
  if (fatal) throw fatal;
  // What the server holds once the aborted uploads are over: the run's bytes moved.
  let final = latest.bytes;
  try {
    final = Math.max(final, (await count()).bytes);
  } catch {
    /* keep the last reading */
  }
  if (final === 0) {
    throw new SpeedTestError("network", attempted ? "no upload reached the server" : "no upload started");
  }
  const seconds = end.t - grace.t;
  const mbps = seconds > 0 ? rate(end.bytes - grace.bytes, seconds) : 0;
  return { mbps, bytes: final, seconds: round(seconds, 2), token };
}

function randomBlock(size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return new Blob([bytes]);
}

function blobOf(block, size) {
  if (size <= block.size) return block.slice(0, size);
  const parts = [];
  for (let left = size; left > 0; left -= block.size) parts.push(left >= block.size ? block : block.slice(0, left));
  return new Blob(parts);
}

// ---------------------------------------------------------------- requests

/** fetch, no cache, with a timeout until the response's headers; HTTP errors and network
 *  failures become SpeedTestErrors. Aborting `signal` also stops the response's body. */
async function request(url, { method = "GET", body, headers, signal, timeoutMs = 10_000 } = {}) {
  if (signal?.aborted) throw aborted();
  const controller = new AbortController();
  signal?.addEventListener("abort", () => controller.abort(), { once: true });
  let timedOut = false;
  const timer =
    timeoutMs === null
      ? null
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
  let response;
  try {
    response = await fetch(url, {
      method,
      body,
      headers,
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
      signal: controller.signal,
    });
  } catch (error) {
    if (signal?.aborted) throw aborted();
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      throw new SpeedTestError("offline", "no network connection");
    }
    throw new SpeedTestError(
      "network",
      timedOut ? "the server did not answer in time" : String(error?.message || error),
    );
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
  if (response.ok) return response;
  let detail = {};
  try {
    detail = await response.json();
  } catch {
    detail = {};
  }
  if (response.status === 429) {
    const after = Number(response.headers.get("Retry-After"));
    throw new SpeedTestError("rate_limited", "too many speed tests from this address", {
      status: 429,
      retryAfter: Number.isFinite(after) && after > 0 ? after : null,
    });
  }
  if (response.status === 400 && detail.max_bytes) {
    const error = new SpeedTestError("too_large", "requested more than the server serves", { status: 400 });
    error.maxBytes = Number(detail.max_bytes);
    throw error;
  }
  throw new SpeedTestError("server", `HTTP ${response.status}`, { status: response.status });
}

// ---------------------------------------------------------------- helpers

function absoluteBase(base) {
  const origin = typeof location !== "undefined" ? location.href : "http://localhost/";
  const url = new URL(base, origin);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "";
  url.hash = "";
  return url.href;
}

function rate(bytes, seconds) {
  return seconds > 0 ? Math.max(0, (bytes * 8) / seconds / MB) : 0;
}

function round(value, places) {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

function clampInt(value, low, high) {
  const n = Math.round(Number(value));
  return Number.isFinite(n) ? Math.min(high, Math.max(low, n)) : low;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function aborted() {
  return new SpeedTestError("aborted", "the speed test was stopped");
}
