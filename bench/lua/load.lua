-- wrk script of the vote benchmarks: every request comes from a new voter.
-- Usage: wrk ... -s load.lua URL -- METHOD ORIGIN [BODY]
-- Each request carries its own X-Forwarded-For address (the service trusts one proxy hop)
-- and no cookie, so every vote is a first vote: the load measures inserts, not 409s.
-- Statuses are counted so the caller can check how many votes were really recorded.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  method = args[1] or "GET"
  origin = args[2]
  body = args[3]
  counter = 0
  s2xx, s201, s409, s429, s4xx, s5xx, sother = 0, 0, 0, 0, 0, 0, 0
  headers = {}
  if origin then headers["Origin"] = origin end
  if body then headers["Content-Type"] = "application/json" end
end

function request()
  counter = counter + 1
  -- 10.T.x.y then 11.T.x.y ...: 16 million distinct addresses per thread (LuaJIT has no
  -- bit operators, hence the arithmetic).
  local first = 10 + math.floor(counter / 65536) % 200
  headers["X-Forwarded-For"] = string.format("%d.%d.%d.%d", first, thread_number % 256,
    math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(method, nil, headers, body)
end

function response(status, headers, body)
  if status == 201 then s201 = s201 + 1 end
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local totals = {s2xx = 0, s201 = 0, s409 = 0, s429 = 0, s4xx = 0, s5xx = 0, sother = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "s2xx": %d, "s201": %d, "s409": %d, "s429": %d, "s4xx": %d, ' ..
    '"s5xx": %d, "sother": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout,
    totals.s2xx, totals.s201, totals.s409, totals.s429, totals.s4xx, totals.s5xx, totals.sother))
end
