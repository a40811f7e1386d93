-- Operators at their windows: call the next visitor, start, finish, call again. Run with
-- as many threads as connections (wrk -tN -cN), so that each thread is one operator at one
-- window. BENCH_TOKENS names a file of "window token" lines; BENCH_OFFICE the centre.
-- done() prints the figures as one JSON line. A run that stops mid-turn leaves visitors at
-- windows; bench/housekeeping.py sends them away before the next run.

local office = os.getenv("BENCH_OFFICE")
local operators = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  local number, token = line:match("^(%d+)%s+(%S+)$")
  operators[#operators + 1] = { number, token }
end

local threads = {}

function setup(thread)
  local operator = operators[#threads + 1]
  thread:set("window", operator[1])
  thread:set("token", operator[2])
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  called, empty, served = 0, 0, 0
  step, ticket = "call", nil
  wrk.headers["Authorization"] = "Bearer " .. token
  call_path = "/api/v1/offices/" .. office .. "/windows/" .. window .. "/call-next"
end

function request()
  if step == "call" then
    return wrk.format("POST", call_path)
  end
  return wrk.format("POST", "/api/v1/tickets/" .. ticket .. "/" .. step)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if step == "call" then
    if status == 200 then
      ticket = body:match('"id":%s*(%d+)')
      step = "start"
      called = called + 1
    elseif status == 204 then
      empty = empty + 1
    end
  elseif step == "start" and status == 200 then
    step = "finish"
  elseif step == "finish" and status == 200 then
    step, ticket = "call", nil
    served = served + 1
  end
end

function done(summary, latency, requests)
  local counts = {}
  local called_total, empty_total, served_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + n
    end
    called_total = called_total + (thread:get("called") or 0)
    empty_total = empty_total + (thread:get("empty") or 0)
    served_total = served_total + (thread:get("served") or 0)
  end
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}, "statuses": {%s}, "called": %d, "empty": %d, '
      .. '"served": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status,
    e.timeout, table.concat(parts, ", "), called_total, empty_total, served_total))
end
