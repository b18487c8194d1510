-- Shared by the round scripts (prepended to each).
-- KEYS: 1 record, 2 expected, 3 results, 4 state, 5 calls, 6 rounds.
-- ARGV: 1 retention in ms, 2 call id.
-- A completed round whose results are packed takes no more writes (see `compact.lua`).
local function packed()
  return redis.call('HGET', KEYS[4], 'packed') == '1'
end
-- Gives a round in progress its retention again. A packed round is kept until pruned, and
-- the list of rounds lists packed rounds too: neither is given an expiry.
local function touch()
  if packed() then return end
  for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
-- Completes the round if it is sealed and nothing is outstanding; 1 if this call did.
local function complete_now()
  local s = redis.call('HMGET', KEYS[4], 'sealed', 'completed', 'outstanding')
  if s[1] == '1' and s[2] ~= '1' and tonumber(s[3] or '0') <= 0 then
    redis.call('HSET', KEYS[4], 'completed', '1', 'completed_by', ARGV[2])
    return 1
  end
  return 0
end
local function completed_by_me()
  if redis.call('HGET', KEYS[4], 'completed_by') == ARGV[2] then return 1 end
  return 0
end
