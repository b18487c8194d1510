-- Records one result and its follow-up jobs.
-- ARGV: 3 job id, 4 result JSON, 5 `1` if the outcome is `Dead`, 6.. follow-up job ids.
-- Returns {first, completed}.
local job = ARGV[3]
if packed() then
  -- A late duplicate, or a retry of the call that completed the round: answer as it did.
  local me = completed_by_me()
  return {me, me}
end
if redis.call('HEXISTS', KEYS[3], job) == 1 then
  if redis.call('HGET', KEYS[5], 'r:' .. job) == ARGV[2] then
    -- A retry of the call that wrote it: answer as that call did.
    return {1, completed_by_me()}
  end
  return {0, 0}
end
local outstanding, done = 0, 0
-- A page brings thousands of follow-ups: membership and earlier results are asked in chunks
-- (Lua unpacks a few thousand values at most), not one command per job — a command per job
-- held Redis, and every worker's politeness with it, for tens of milliseconds.
local fresh, seen = {}, {}
for i = 6, #ARGV, 500 do
  local last = math.min(i + 499, #ARGV)
  local known = redis.call('SMISMEMBER', KEYS[2], unpack(ARGV, i, last))
  local chunk = {}
  for j = i, last do
    local f = ARGV[j]
    if known[j - i + 1] == 0 and not seen[f] then
      seen[f] = true
      fresh[#fresh + 1] = f
      chunk[#chunk + 1] = f
    end
  end
  if #chunk > 0 then
    -- A job whose result came before the result that spawns it is done already.
    for _, result in ipairs(redis.call('HMGET', KEYS[3], unpack(chunk))) do
      if result then done = done + 1 else outstanding = outstanding + 1 end
    end
  end
end
for i = 1, #fresh, 500 do
  redis.call('SADD', KEYS[2], unpack(fresh, i, math.min(i + 499, #fresh)))
end
redis.call('HSET', KEYS[3], job, ARGV[4])
redis.call('HSET', KEYS[5], 'r:' .. job, ARGV[2])
if redis.call('SISMEMBER', KEYS[2], job) == 1 then
  outstanding = outstanding - 1
  done = done + 1
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[4], 'dead', 1) end
local completed = complete_now()
touch()
return {1, completed}
