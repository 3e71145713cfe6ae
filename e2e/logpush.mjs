// A local stand-in for Workers Trace Events Logpush into R2 (seed §2.2–§2.4): every invocation of
// the Workers under test becomes one Workers Trace Events record, written as NDJSON into a
// directory laid out like the R2 buckets, so that `nno-obs logs search` is tested on what the
// real Workers printed.
//
// Attribution: each Worker gets a Tail Worker (logpush-tail.mjs, through miniflare's `tails`
// option). workerd calls it once per finished invocation with that invocation's TraceItem:
// outcome, event (request, response), every console call with its level, arguments and time,
// and the uncaught exceptions. That is what Cloudflare builds its trace events from, so console
// calls are attributed by the runtime itself — concurrent requests and the gateway's nested
// call to the analytics Worker cannot be mixed up, as they could be by splitting workerd's
// console output by time or by Worker name.
//
// Store layout (nno-obs-store/src/layout.rs): core services `nno-{service}-{env}` go to
// `nno-logs-internal/`, platform Workers `{platformId}-…` to `nno-logs-{platformId}/`, into
// `{DATE}/{HOUR}/{script}-{uuid}.json` (open, plain NDJSON, one record per line) until
// `rotate()` gzips them to `….json.gz`. Records are written with the field names and key order
// of nno-obs-store/src/record.rs.

import { appendFileSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
export const TAIL_SCRIPT = path.join(here, "logpush-tail.mjs");
export const INTERNAL_BUCKET = "nno-logs-internal";
const PLATFORM_ID = /^[a-z0-9]{10}$/;

/** The bucket of a script name: nno-logs-internal, or nno-logs-{platformId}. */
export function bucketOf(script) {
  if (script.startsWith("nno-")) return INTERNAL_BUCKET;
  const platform = script.split("-")[0];
  if (!PLATFORM_ID.test(platform)) {
    throw new Error(`${script}: neither nno-{service}-{env} nor {platformId}-…-{env}`);
  }
  return `nno-logs-${platform}`;
}

/** `{DATE}/{HOUR}` (UTC) of a time in ms, as Logpush's placeholders. */
export function hourFolder(ms) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}/${iso.slice(11, 13)}`;
}

/** Logpush's `{start}`/`{end}` placeholder of a time in ms: `YYYYMMDDTHHMMSSZ` (UTC). */
export function logpushStamp(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, "") + "Z";
}

/**
 * Whether a console call is a data point of the Analytics Engine recorder (ae-recorder.mjs).
 * The recorder runs inside the Worker's invocation, so its lines show up in the TraceItem; in
 * production `writeDataPoint` prints nothing, so they are not part of the record.
 */
function isRecorderPoint(message) {
  if (message.length !== 1 || typeof message[0] !== "string") return false;
  try {
    return typeof JSON.parse(message[0]).aeDataset === "string";
  } catch {
    return false;
  }
}

/**
 * One TraceItem as a Workers Trace Events record, keys in record.rs' order. workerd has no edge,
 * hence no ray id: the stand-in gives each invocation one, 16 hex digits like Cloudflare's.
 */
export function toRecord(producer, item) {
  const request = item.event?.request;
  if (!request) throw new Error(`${producer}: not a fetch event: ${JSON.stringify(item.event)}`);
  const status = item.event.response?.status;
  return {
    ScriptName: item.scriptName ?? producer,
    Outcome: item.outcome,
    EventTimestampMs: item.eventTimestamp,
    EventType: "fetch",
    Event: {
      RayID: randomBytes(8).toString("hex"),
      Request: { URL: request.url, Method: request.method },
      // No response when the invocation threw.
      ...(status === undefined ? {} : { Response: { Status: status } }),
    },
    Logs: item.logs
      .filter((log) => !isRecorderPoint(log.message))
      .map((log) => ({ Level: log.level, Message: log.message, TimestampMs: log.timestamp })),
    Exceptions: item.exceptions.map((e) => ({
      Name: e.name,
      Message: e.message,
      TimestampMs: e.timestamp,
    })),
  };
}

export class LogpushStandIn {
  /** `store`: the store root; emptied, so that it holds this run's records only. */
  constructor(store) {
    this.store = store;
    rmSync(store, { recursive: true, force: true });
    mkdirSync(store, { recursive: true });
    /** Every record written: {file (relative to the store), record}. */
    this.records = [];
    /** What the sink could not turn into a record (a test asserts there is nothing). */
    this.problems = [];
    /** The open file of each `{bucket}/{DATE}/{HOUR}/{script}`. */
    this.open = new Map();
    this.waiters = new Set();
    // The miniflare service binding of the Tail Workers (a Node function).
    this.sink = async (request) => {
      try {
        const { producer, events } = await request.json();
        for (const item of events) this.write(toRecord(producer, item));
        return new Response(null, { status: 204 });
      } catch (error) {
        this.problems.push(String(error?.stack ?? error));
        return new Response(String(error), { status: 500 });
      } finally {
        for (const waiter of this.waiters) waiter();
      }
    };
  }

  /**
   * Appends `record` to its script's open file. The folder is the hour of delivery, not of the
   * record, as Logpush does (the search must not rely on it; see docs/logs.md).
   */
  write(record) {
    const script = record.ScriptName;
    const folder = `${bucketOf(script)}/${hourFolder(Date.now())}`;
    const key = `${folder}/${script}`;
    if (!this.open.has(key)) {
      mkdirSync(path.join(this.store, folder), { recursive: true });
      this.open.set(key, `${key}-${randomUUID()}.json`);
    }
    const file = this.open.get(key);
    // Synchronous, so that a record a test has seen arrive is already on disk.
    appendFileSync(path.join(this.store, file), JSON.stringify(record) + "\n");
    this.records.push({ file, record });
  }

  /** Closes every open file as Logpush delivers them: `….json` → `….json.gz`. */
  rotate() {
    for (const file of this.open.values()) {
      const plain = path.join(this.store, file);
      writeFileSync(`${plain}.gz`, gzipSync(readFileSync(plain)));
      unlinkSync(plain);
    }
    this.open.clear();
  }

  /**
   * Delivers every record written so far as Workers Trace Events Logpush delivers into R2 —
   * its real layout, not the store's: per bucket, one gzipped NDJSON object
   * `{YYYYMMDD}/{start}_{end}_{random}.log.gz`, `{start}`/`{end}` the first and last event
   * times (`YYYYMMDDTHHMMSSZ`, UTC). `r2(bucketName)` gives the bucket to put into (miniflare's
   * R2 binding). Returns the keys written, by bucket.
   */
  async deliverToR2(r2) {
    const byBucket = new Map();
    for (const { record } of this.records) {
      const bucket = bucketOf(record.ScriptName);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), record]);
    }
    const written = {};
    for (const [bucket, records] of byBucket) {
      const times = records.map((r) => r.EventTimestampMs);
      const start = logpushStamp(Math.min(...times));
      const end = logpushStamp(Math.max(...times));
      const key = `${start.slice(0, 8)}/${start}_${end}_${randomBytes(4).toString("hex")}.log.gz`;
      const body = gzipSync(records.map((r) => JSON.stringify(r) + "\n").join(""));
      // A copy with a buffer of its own (miniflare's proxy refuses a view into Node's pool).
      await r2(bucket).put(key, new Uint8Array(body));
      written[bucket] = [...(written[bucket] ?? []), key];
    }
    return written;
  }

  /** The Worker options that make `worker` (miniflare options) send its trace events here. */
  attach(worker) {
    const tail = `logpush-tail-${worker.name}`;
    worker.tails = [tail];
    return {
      name: tail,
      modules: true,
      scriptPath: TAIL_SCRIPT,
      bindings: { PRODUCER: worker.name },
      serviceBindings: { SINK: this.sink },
    };
  }

  /** Resolves when `predicate()` holds (checked on every delivery), or rejects after `ms`. */
  until(predicate, what, ms = 10_000) {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }
}
