-- Creates the round record and lists the round.
-- KEYS: 1 record, 2 rounds. ARGV: 1 retention in ms, 2 record JSON, 3 round id.
-- Returns 1 when the round is new.
if redis.replicate_commands then pcall(redis.replicate_commands) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
local t = redis.call('TIME')
local score = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fresh = redis.call('ZADD', KEYS[2], 'NX', score, ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return fresh
