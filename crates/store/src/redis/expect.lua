-- Adds jobs to the round.
-- ARGV: 3.. job ids. Returns the ids the round did not have (or that this call added), in
-- the order given.
if packed() then return {} end
local ids, seen = {}, {}
for i = 3, #ARGV do
  local id = ARGV[i]
  if not seen[id] then
    seen[id] = true
    ids[#ids + 1] = id
  end
end
local new = {}
local outstanding, done = 0, 0
-- A few commands per chunk rather than three per job (a page's 10,000 links come in one
-- call); in chunks, as Lua unpacks a few thousand values at most.
for i = 1, #ids, 500 do
  local last = math.min(i + 499, #ids)
  local known = redis.call('SMISMEMBER', KEYS[2], unpack(ids, i, last))
  local fresh, older = {}, {}
  for k = 1, #known do
    local id = ids[i + k - 1]
    if known[k] == 1 then older[#older + 1] = id else fresh[#fresh + 1] = id end
  end
  local added = {}
  if #fresh > 0 then
    redis.call('SADD', KEYS[2], unpack(fresh))
    -- A job whose result came before the result that spawns it is done already.
    local results = redis.call('HMGET', KEYS[3], unpack(fresh))
    local calls = {}
    for k = 1, #fresh do
      if results[k] then done = done + 1 else outstanding = outstanding + 1 end
      calls[#calls + 1] = 'e:' .. fresh[k]
      calls[#calls + 1] = ARGV[2]
      added[fresh[k]] = true
    end
    redis.call('HSET', KEYS[5], unpack(calls))
  end
  if #older > 0 then
    -- A retry of the call that added them: answer as that call did.
    local fields = {}
    for k = 1, #older do fields[k] = 'e:' .. older[k] end
    local by = redis.call('HMGET', KEYS[5], unpack(fields))
    for k = 1, #older do
      if by[k] == ARGV[2] then added[older[k]] = true end
    end
  end
  for k = i, last do
    if added[ids[k]] then new[#new + 1] = ids[k] end
  end
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
touch()
return new
