-- wrk script of bench/run: GraphQL requests, with the outcome of every
-- response counted and one machine-readable result line at the end.
--
-- Configured by the environment (wrk passes nothing else to every thread):
--   BENCH_METHOD      POST (default) or GET
--   BENCH_BODY_FILE   file holding the JSON body of the read request (POST)
--   BENCH_BODIES_FILE file of JSON bodies, one a line: each read request is
--                     one of them, chosen by BENCH_PICK (instead of BENCH_BODY_FILE)
--   BENCH_PICK        uniform (default): any line, equally likely;
--                     zipf: line k (1-based) with probability 1/k^s over
--                     sum 1/j^s (line 1 the most asked for);
--                     rotate: the lines in turn, each thread from its own start
--   BENCH_ZIPF_S      the exponent s of zipf (default 1.0)
--   BENCH_SEED        seed of the random picks (default 1); thread t seeds
--                     with BENCH_SEED * 7919 + t, so a run is repeatable and
--                     the threads draw different sequences
--   BENCH_TOKEN       bearer token sent with writes
--   BENCH_WRITE_EVERY N: every Nth request of a thread is a write (0: none)
--   BENCH_WRITE_ID    the global id of the person the writes change
--   BENCH_RATE        requests/s over all threads (0 or unset: as fast as possible)
--   BENCH_THREADS     wrk's -t, needed with BENCH_RATE
--
-- A response counts as a GraphQL error when its body has an "errors" key; a
-- write as done when it answers 200 with {"data":{"updatePerson" and no error.

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local method = env("BENCH_METHOD", "POST")
local body_file = env("BENCH_BODY_FILE", nil)
local token = env("BENCH_TOKEN", nil)
local write_every = tonumber(env("BENCH_WRITE_EVERY", "0"))
local write_id = env("BENCH_WRITE_ID", "")
local rate = tonumber(env("BENCH_RATE", "0"))
local threads_n = tonumber(env("BENCH_THREADS", "1"))
local bodies_file = env("BENCH_BODIES_FILE", nil)
local pick = env("BENCH_PICK", "uniform")
local zipf_s = tonumber(env("BENCH_ZIPF_S", "1.0"))
local seed = tonumber(env("BENCH_SEED", "1"))

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

-- Per-thread counters: globals, so that done() can read them with thread:get.
local read_request
local read_requests = nil -- with BENCH_BODIES_FILE: one formatted request per line
local cdf = nil           -- with BENCH_PICK=zipf: cdf[k] = P(line <= k)
local turn = 0
local counter = 0
gql_errors = 0
writes_sent = 0
writes_ok = 0
late = 0

-- Rate limiting (open loop): this thread's requests are due every
-- `interval` microseconds; delay() returns how long until the next one.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end
local interval_us = 0
local due = nil

function init(args)
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if method == "GET" then
    read_request = wrk.format("GET", wrk.path, { ["Accept"] = "application/json" }, nil)
  elseif bodies_file then
    read_requests = {}
    for line in io.lines(bodies_file) do
      if line ~= "" then
        table.insert(read_requests, wrk.format("POST", wrk.path, headers, line))
      end
    end
    assert(#read_requests > 0, "no bodies in " .. bodies_file)
    math.randomseed(seed * 7919 + (tid or 0))
    if pick == "zipf" then
      cdf = {}
      local total = 0
      for k = 1, #read_requests do
        total = total + 1 / k ^ zipf_s
        cdf[k] = total
      end
      for k = 1, #read_requests do cdf[k] = cdf[k] / total end
      cdf[#read_requests] = 1
    elseif pick == "rotate" then
      -- The threads start at different lines, so that at any moment they
      -- ask different shapes rather than the same one in step.
      turn = ((tid or 1) - 1) % #read_requests
    elseif pick ~= "uniform" then
      error("BENCH_PICK is uniform, zipf or rotate, not " .. pick)
    end
  else
    read_request = wrk.format("POST", wrk.path, headers, slurp(body_file))
  end
  if rate > 0 then
    interval_us = 1e6 * threads_n / rate
  end
end

if rate > 0 then
  function delay()
    local t = now_us()
    if due == nil then due = t end
    due = due + interval_us
    local wait = due - t
    if wait < 0 then
      late = late + 1
      return 0
    end
    return wait / 1000 -- milliseconds
  end
end

function request()
  counter = counter + 1
  if write_every > 0 and counter % write_every == 0 then
    writes_sent = writes_sent + 1
    local headline = string.format("bench headline t%d n%d", tid, counter)
    local body = string.format(
      '{"query":"mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { version } } }","variables":{"i":{"id":"%s","headline":"%s"}}}',
      write_id, headline)
    return wrk.format("POST", wrk.path, {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
    }, body)
  end
  if read_requests then
    local n = #read_requests
    if cdf then
      -- The first k with cdf[k] >= u (binary search).
      local u, lo, hi = math.random(), 1, n
      while lo < hi do
        local mid = math.floor((lo + hi) / 2)
        if cdf[mid] >= u then hi = mid else lo = mid + 1 end
      end
      return read_requests[lo]
    elseif pick == "rotate" then
      turn = turn % n + 1
      return read_requests[turn]
    end
    return read_requests[math.random(n)]
  end
  return read_request
end

function response(status, headers, body)
  local has_errors = string.find(body, '"errors"', 1, true) ~= nil
  if has_errors then
    gql_errors = gql_errors + 1
  elseif write_every > 0 and status == 200
      and string.find(body, '{"data":{"updatePerson"', 1, true) == 1 then
    writes_ok = writes_ok + 1
  end
end

function done(summary, latency, requests)
  local g, ws, wok, lt = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    g = g + (thread:get("gql_errors") or 0)
    ws = ws + (thread:get("writes_sent") or 0)
    wok = wok + (thread:get("writes_ok") or 0)
    lt = lt + (thread:get("late") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"bytes":%d,"rps":%.1f,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"non2xx":%d,"timeouts":%d,' ..
    '"graphql_errors":%d,"writes_sent":%d,"writes_ok":%d,"late":%d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout,
    g, ws, wok, lt))
end
