-- The launch spike: landing, register and start in the proportion 2 : 1 : 1 from many connections.
-- Registrations use fresh phones; starts use the seeded tokens (argument 1, a replay file of starts).
-- An answer is acceptable when it is a 2xx, or a 429/503 that says when to come back (Retry-After);
-- anything else is counted as unexpected.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  ok, admission, unexpected, count = 0, 0, 0, 0
  starts = {}
  local index = 0
  for line in io.lines(args[1]) do
    if index % tonumber(args[3]) == id then
      local token = line:match("^[^\t]*\t[^\t]*\t([^\t]*)\t")
      table.insert(starts, wrk.format("POST", "/api/v1/contests/demo/attempts", {["Authorization"] = "Bearer " .. token}))
    end
    index = index + 1
  end
  landing = wrk.format("GET", "/c/demo")
end

function request()
  count = count + 1
  local kind = count % 4
  if kind == 1 then
    local phone = string.format("17%d%08d", id, count)
    local body = '{"name": "测试者", "phone": "' .. phone .. '", "region": "北京市", "consent": true}'
    return wrk.format("POST", "/api/v1/contests/demo/participants", {["Content-Type"] = "application/json"}, body)
  elseif kind == 3 then
    return starts[math.floor(count / 4) % #starts + 1]
  end
  return landing
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif (status == 429 or status == 503) and headers["Retry-After"] then
    admission = admission + 1
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local totals = {ok = 0, admission = 0, unexpected = 0}
  for _, thread in ipairs(threads) do
    for key in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "unexpected": %d, "ok": %d, ' ..
    '"admission": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), totals.unexpected,
    totals.ok, totals.admission, e.connect, e.read, e.write, e.status, e.timeout))
end
