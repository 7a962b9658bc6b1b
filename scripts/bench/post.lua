-- wrk script: POST the form in $BENCH_BODY (keep-alive) to the URL's path, and print one
-- machine-readable line after wrk's own summary:
--   RESULT requests seconds req_per_s p50_ms p90_ms p99_ms non2xx socket_errors
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("BENCH_BODY") or ""

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %.3f %.1f %.3f %.3f %.3f %d %d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
