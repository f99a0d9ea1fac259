-- Replays requests from a file, one per line: METHOD <tab> PATH <tab> TOKEN <tab> BODY.
-- Thread i of n takes lines i, i+n, i+2n ... so that no two requests share a once-only line
-- (a start or a submit), and wraps around when its share runs out.
-- Arguments (after --): the file, the expected status (any other is counted as unexpected), wrk threads.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function parse(line)
  local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  local headers = {}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
  return wrk.format(method, path, headers, body)
end

function init(args)
  expected = tonumber(args[2])
  unexpected = 0
  requests = {}
  local index = 0
  for line in io.lines(args[1]) do
    if index % tonumber(args[3]) == id then
      table.insert(requests, parse(line))
    end
    index = index + 1
  end
  if #requests == 0 then  -- a file shorter than the thread count: every thread replays all of it
    for line in io.lines(args[1]) do table.insert(requests, parse(line)) end
  end
  cursor = 0
end

function request()
  cursor = cursor % #requests + 1
  return requests[cursor]
end

function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local odd = 0
  for _, thread in ipairs(threads) do odd = odd + thread:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "unexpected": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), odd,
    e.connect, e.read, e.write, e.status, e.timeout))
end
