-- wrk script for the refresh_token row: each wrk thread acquires a token with the form in
-- $BENCH_BODY, then sends $BENCH_REFRESH_PREFIX .. <its refresh token> for the rest of the run.
-- The bench profile allows billions of refreshes per token, so the threads' connections can
-- share one refresh token. Until the first acquisition has answered, connections acquire
-- (a handful of requests per thread, counted in the total). Output line as in post.lua.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local acquire = os.getenv("BENCH_BODY") or ""
local refresh_prefix = os.getenv("BENCH_REFRESH_PREFIX") or ""
local refresh_token = nil

request = function()
  if refresh_token == nil then
    return wrk.format(nil, nil, nil, acquire)
  end
  return wrk.format(nil, nil, nil, refresh_prefix .. refresh_token)
end

response = function(status, headers, body)
  if refresh_token == nil and status == 200 then
    refresh_token = string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %.3f %.1f %.3f %.3f %.3f %d %d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
