-- Creates the round record and lists the round.
-- KEYS: 1 record, 2 rounds. ARGV: 1 retention in ms, 2 record JSON, 3 round id.
-- Returns 1 when the round is new.
if redis.replicate_commands then pcall(redis.replicate_commands) end
-- The first write wins: a packed round created again keeps its record, without an expiry.
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1], 'NX')
local t = redis.call('TIME')
local score = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fresh = redis.call('ZADD', KEYS[2], 'NX', score, ARGV[3])
-- The list of rounds never expires: it lists packed rounds, which are kept until pruned (a
-- store written by an older version gave it an expiry, taken off here).
redis.call('PERSIST', KEYS[2])
return fresh
