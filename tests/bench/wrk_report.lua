-- Prints wrk's own summary as one JSON line for tests/bench/load.ts. Only `done` is defined:
-- a `response` hook would make wrk run Lua on every response and slow the load generator.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"p50Us":%d,"p99Us":%d,' ..
      '"maxUs":%d,"errors":%d,"badStatus":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
