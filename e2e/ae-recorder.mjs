// A stand-in for an Analytics Engine dataset binding, wired in with miniflare's
// `wrappedBindings`: miniflare's own local binding accepts writes and drops them, this one
// prints each point as one JSON line so the test can read what the Worker wrote.
//
// `env.dataset` is the dataset name from the Worker's wrangler.toml (passed as an inner binding).
export default function recorder(env) {
  return {
    writeDataPoint(point) {
      const p = point ?? {};
      console.log(
        JSON.stringify({
          aeDataset: env.dataset,
          blobs: (p.blobs ?? []).map((b) =>
            typeof b === "string" ? b : b == null ? null : new TextDecoder().decode(b),
          ),
          doubles: p.doubles ?? [],
          indexes: (p.indexes ?? []).map((i) =>
            typeof i === "string" ? i : i == null ? null : new TextDecoder().decode(i),
          ),
        }),
      );
    },
  };
}
