-- Adds jobs to the round.
-- ARGV: 3.. job ids. Returns the ids the round did not have (or that this call added).
if packed() then return {} end
local new, seen = {}, {}
local outstanding, done = 0, 0
for i = 3, #ARGV do
  local id = ARGV[i]
  if not seen[id] then
    seen[id] = true
    if redis.call('SADD', KEYS[2], id) == 1 then
      if redis.call('HEXISTS', KEYS[3], id) == 1 then
        done = done + 1
      else
        outstanding = outstanding + 1
      end
      redis.call('HSET', KEYS[5], 'e:' .. id, ARGV[2])
      new[#new + 1] = id
    elseif redis.call('HGET', KEYS[5], 'e:' .. id) == ARGV[2] then
      new[#new + 1] = id
    end
  end
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
touch()
return new
