-- wrk script for GET load; prints one machine-readable line at the end:
--   RESULT rps=<req/s> mbps=<MB/s, 1e6, bytes received incl. headers> p50_ms=.. p99_ms=..
--          reqs=.. non2xx=.. sockerr=..
-- With STATUS_COUNT=1 it also counts responses by status and keeps the first non-2xx
-- response (costly: wrk then copies every body into Lua), printing
--   STATUS 200=<n> 403=<n> ...
--   SAMPLE <status> <first 300 bytes of the body>
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

local counting = os.getenv("STATUS_COUNT") == "1"
if counting then
  statuses = {}
  sample = nil
  response = function(status, headers, body)
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    if sample == nil and (status < 200 or status > 299) then
      sample = k .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ")
    end
  end
end

done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f mbps=%.1f p50_ms=%.3f p99_ms=%.3f reqs=%d non2xx=%d sockerr=%d\n",
    summary.requests / s, summary.bytes / s / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
  if counting then
    local total, smp = {}, nil
    for _, t in ipairs(threads) do
      local st = t:get("statuses")
      if st then for k, v in pairs(st) do total[k] = (total[k] or 0) + v end end
      smp = smp or t:get("sample")
    end
    local keys = {}
    for k in pairs(total) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. total[k] end
    io.write("STATUS " .. table.concat(parts, " ") .. "\n")
    if smp then io.write("SAMPLE " .. smp .. "\n") end
  end
end
