-- Grants the asks of several hosts' queues in one call.
--
-- KEYS, three per ask: 1 rate (GCRA arrival time), 2 pause, 3 leases.
-- ARGV, shared: 1 emission interval in µs, 2 burst tolerance in µs, 3 concurrency, 4 the
-- prefix of this gate's lease ids (`{holder}-`), 5 how far ahead cells may be granted in µs,
-- 6 lease time to live in ms, 7 the prefix of holder keys, 8 this holder, 9 holder key time
-- to live in ms, set with new leases only until the gate's own heartbeat has set it (0: no
-- need); then four per ask: the number of its first new lease, new leases wanted, leases the
-- caller holds unused, cells wanted beyond those for the leases (prepaid for leases in use).
--
-- Each ask grants cells first to requests that have a lease (new or held unused), and new
-- leases only to requests that get a cell, so no slot is taken without a request to fill it.
-- Returns four numbers per ask, in order: {0, new leases, cells, the first cell's time
-- relative to now in µs (<= 0)}, cell `i` being `i` intervals after the first; else
-- {why, wait in µs, 0, 0}: 1 paused, 2 every slot taken (wait until the oldest lease would
-- expire — the caller polls sooner), 3 rate.
--
-- The holder keys are not among KEYS (a lease names its holder only in its id), nor are the
-- hosts of one call in one hash slot, which a single Redis allows; the pool's keys of one
-- namespace live on one Redis.
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now_ms = math.floor(now / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local horizon = tonumber(ARGV[5])
local holder_ms = tonumber(ARGV[9])
local function acquire(rate, pause, leases, first, want, held, extra)
  local paused = redis.call('PTTL', pause)
  if paused > 0 then return {1, paused * 1000, 0, 0} end
  local granted = 0
  if want > 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', now_ms)
    local taken = redis.call('ZCARD', leases)
    if taken + want > limit then
      for _, lease in ipairs(redis.call('ZRANGE', leases, 0, -1)) do
        local holder = string.match(lease, '^(.-)%-')
        if holder and redis.call('EXISTS', ARGV[7] .. holder) == 0 then
          redis.call('ZREM', leases, lease)
        end
      end
      taken = redis.call('ZCARD', leases)
    end
    granted = math.max(0, math.min(want, limit - taken))
  end
  if granted + held == 0 then
    local oldest = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
    if oldest[2] == nil then return {2, 0, 0, 0} end
    return {2, (tonumber(oldest[2]) - now_ms) * 1000, 0, 0}
  end
  local tat = tonumber(redis.call('GET', rate) or '0')
  if tat < now then tat = now end
  local allow_at = tat - tolerance
  if now < allow_at then return {3, allow_at - now, 0, 0} end
  local fits = math.floor((now + horizon - allow_at) / interval) + 1
  local cells = math.min(granted + held + extra, fits)
  granted = math.min(granted, math.max(0, cells - held))
  local next_tat = tat + cells * interval
  redis.call('SET', rate, string.format('%.0f', next_tat), 'PX',
    math.ceil((next_tat - now) / 1000) + 1000)
  if granted > 0 then
    local expires = now_ms + tonumber(ARGV[6])
    for i = 0, granted - 1 do
      redis.call('ZADD', leases, expires, ARGV[4] .. string.format('%x', first + i))
    end
    local last = redis.call('ZRANGE', leases, -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', leases, tonumber(last[2]) + 1000)
    if holder_ms > 0 then
      redis.call('SET', ARGV[7] .. ARGV[8], '1', 'PX', holder_ms)
      holder_ms = 0
    end
  end
  return {0, granted, cells, allow_at - now}
end
local out = {}
for i = 0, #KEYS / 3 - 1 do
  local a = 10 + i * 4
  local r = acquire(KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3], tonumber(ARGV[a]),
    tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]))
  for j = 1, 4 do out[#out + 1] = r[j] end
end
return out
