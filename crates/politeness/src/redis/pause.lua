-- Pauses a host for the whole pool. KEYS: 1 pause. ARGV: 1 pause in ms.
-- Extends the pause; never shortens one in force.
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
