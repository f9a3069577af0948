-- wrk script for GETs that rotate over several request paths (bench/all.sh: ListObjects
-- pages at different markers through one V1 signed URL; the markers are not signed).
--   env GET_PATHS: file with one request path (path + query) per line; each wrk thread
--                  starts at its own offset.
-- Prints the same RESULT line as wrk-get.lua, plus STATUS <code>=<n> ... and SAMPLE
-- <first non-2xx status + body> (counting copies bodies into Lua: fine for these rows,
-- whose cost is the server's listing, not the transfer).
local paths = {}
local pf = os.getenv("GET_PATHS")
if pf and pf ~= "" then
  for line in io.lines(pf) do if line ~= "" then paths[#paths + 1] = line end end
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

local counter = 0
init = function(args)
  if #paths == 0 then error("GET_PATHS is empty or unset") end
  counter = (((tid or 1) - 1) * 7) % #paths
end

statuses = {}
sample = nil

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1])
end

response = function(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
  if sample == nil and (status < 200 or status > 299) then
    sample = k .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ")
  end
end

done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f mbps=%.1f p50_ms=%.3f p99_ms=%.3f reqs=%d non2xx=%d sockerr=%d\n",
    summary.requests / s, summary.bytes / s / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
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
