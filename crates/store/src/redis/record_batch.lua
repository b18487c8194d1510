-- Records results without follow-ups.
-- ARGV: 3.. a triple per result: job id, result JSON, `1` if the outcome is `Dead`.
-- Returns {completed, first of each result...}.
-- The call's answer is kept as one field of the calls hash, `b:{call}` (a digit per result),
-- rather than a field per result naming the call that recorded it: a retry of a call that
-- took effect answers from it, and a page's 10,000 results write 20 fields, not 10,000.
if packed() then
  -- Late duplicates, or a retry of the call that completed the round: answer as it did.
  local me = completed_by_me()
  local answer = {me}
  for _ = 3, #ARGV, 3 do answer[#answer + 1] = me end
  return answer
end
local answered = redis.call('HGET', KEYS[5], 'b:' .. ARGV[2])
if answered then
  -- A retry of a call that took effect: answer as that call did.
  local answer = {completed_by_me()}
  for k = 1, #answered do answer[#answer + 1] = string.byte(answered, k) - 48 end
  touch()
  return answer
end
-- Which jobs have a result already: a command per chunk of results, not one per result.
local recorded, ids = {}, {}
for i = 3, #ARGV, 3 do ids[#ids + 1] = ARGV[i] end
for i = 1, #ids, 500 do
  local last = math.min(i + 499, #ids)
  local got = redis.call('HMGET', KEYS[3], unpack(ids, i, last))
  for k = 1, #got do
    if got[k] then recorded[ids[i + k - 1]] = true end
  end
end
local firsts = {}
local outstanding, done, dead = 0, 0, 0
-- The new results are written with one command per chunk, not one per result.
local jobs, results, seen = {}, {}, {}
for i = 3, #ARGV, 3 do
  local job = ARGV[i]
  if seen[job] or recorded[job] then
    -- Recorded before, or twice in one call: the first one counts, as if recorded one
    -- after the other.
    firsts[#firsts + 1] = 0
  else
    jobs[#jobs + 1] = job
    results[#results + 1] = job
    results[#results + 1] = ARGV[i + 1]
    if ARGV[i + 2] == '1' then dead = dead + 1 end
    firsts[#firsts + 1] = 1
  end
  seen[job] = true
end
redis.call('HSET', KEYS[5], 'b:' .. ARGV[2], table.concat(firsts))
-- In chunks: Lua unpacks a few thousand values at most.
for i = 1, #jobs, 500 do
  local last = math.min(i + 499, #jobs)
  redis.call('HSET', KEYS[3], unpack(results, 2 * i - 1, 2 * last))
  for _, known in ipairs(redis.call('SMISMEMBER', KEYS[2], unpack(jobs, i, last))) do
    if known == 1 then
      outstanding = outstanding - 1
      done = done + 1
    end
  end
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
if dead > 0 then redis.call('HINCRBY', KEYS[4], 'dead', dead) end
local completed = complete_now()
touch()
table.insert(firsts, 1, completed)
return firsts
