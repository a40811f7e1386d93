-- One kind of request, over and over: the method, body and bearer token come from the
-- environment (BENCH_METHOD, BENCH_BODY, BENCH_TOKEN); BENCH_BODIES names a file with one
-- body a line, sent in turn; BENCH_TARGETS names a file with a path and a token a line
-- (the path of each centre and its kiosk's token), sent in turn, each connection starting
-- at another one. done() prints the figures as one JSON line for bench/load.py.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN")
local bodies = {}
local bodies_file = os.getenv("BENCH_BODIES")
if bodies_file then
  for line in io.lines(bodies_file) do
    bodies[#bodies + 1] = line
  end
end

local targets = {}
local targets_file = os.getenv("BENCH_TARGETS")
if targets_file then
  for line in io.lines(targets_file) do
    local path, key = line:match("^(%S+)%s+(%S+)$")
    targets[#targets + 1] = {path, key}
  end
end

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  turn = index * 7919
  wrk.method = method
  wrk.headers["Content-Type"] = "application/json"
  if token then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  if body then
    wrk.body = body
  end
  fixed = wrk.format()
  prepared = {}
  for i, target in ipairs(targets) do
    prepared[i] = wrk.format(nil, target[1], {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. target[2],
    })
  end
end

function request()
  if #prepared > 0 then
    turn = turn + 1
    return prepared[turn % #prepared + 1]
  end
  if #bodies > 0 then
    turn = turn + 1
    return wrk.format(nil, nil, nil, bodies[turn % #bodies + 1])
  end
  return fixed
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_counts(counts)
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}, "statuses": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status,
    e.timeout, json_counts(counts)))
end
