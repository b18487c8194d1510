-- Seals the round: every initial job is scheduled.
-- Returns 1 when sealing completed the round.
redis.call('HSET', KEYS[4], 'sealed', '1')
local completed = complete_now()
if completed == 0 then completed = completed_by_me() end
touch()
return completed
