-- Puts a completed round's packed results in place and drops what only a round in progress
-- needs (see the `compaction` module). The packed round is kept until pruned: its record,
-- state and blocks lose their expiry (a re-check, a report or a prune may come years later).
-- KEYS: 1 state, 2 the packing call's blocks, 3 packed, 4 results, 5 calls, 6 expected,
-- 7 record.
-- ARGV: 1 the number of results packed.
-- Returns 1 when this call packed the round, 0 when it was packed already (its blocks dropped).
local s = redis.call('HMGET', KEYS[1], 'completed', 'packed')
if s[1] ~= '1' or s[2] == '1' then
  redis.call('DEL', KEYS[2])
  return 0
end
local total = redis.call('SCARD', KEYS[6])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[3])
  redis.call('PERSIST', KEYS[3])
end
-- UNLINK: a province's results hash has 10⁶ fields; freeing it must not stall Redis (nor
-- outlast the caller's response timeout, whose retry would then find the round packed).
redis.call('UNLINK', KEYS[4], KEYS[5], KEYS[6])
redis.call('HSET', KEYS[1], 'packed', '1', 'total', total, 'results', ARGV[1])
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[7])
return 1
