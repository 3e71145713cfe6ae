// The Tail Worker of the Logpush stand-in (logpush.mjs). workerd hands a Tail Worker one
// TraceItem per invocation of the Worker it consumes — the same data Cloudflare's Workers Trace
// Events are made of — so no console line has to be attributed by guesswork.
//
// One copy runs per producer Worker: workerd leaves `TraceItem.scriptName` null locally, so the
// producer's name comes from this copy's `PRODUCER` binding. `SINK` is a Node function (a
// miniflare service binding) that turns the items into records and writes the store.
export default {
  async tail(events, env) {
    const response = await env.SINK.fetch("http://logpush.local/", {
      method: "POST",
      body: JSON.stringify({ producer: env.PRODUCER, events }),
    });
    // The sink answers 204; anything else is a stand-in bug, reported by the sink itself.
    await response.arrayBuffer();
  },
};
