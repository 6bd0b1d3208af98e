--[[ apply-batch: add one batch's counts exactly once, all or nothing
  KEYS[1] <prefix>:types               hash event_type -> count
  KEYS[2] <prefix>:words               hash word -> count
  KEYS[3] <prefix>:stats               hash events / malformedLines -> count
  KEYS[4] <prefix>:ingest:<id>:seq     string: last sequence applied by this ingest
  ARGV[1] batch sequence number (integer >= 1, strictly increasing per ingest id)
  ARGV[2] seconds KEYS[4] lives after the last batch of that ingest
  ARGV[3] events in the batch; ARGV[4] malformed lines in the batch
  ARGV[5] T = number of event-type pairs
  ARGV[6 .. 5+2T] event_type, increment pairs; ARGV[6+2T ..] word, increment pairs
  Returns  1  applied
           0  duplicate: seq <= last applied (a retry whose first attempt was applied)
          -1  a count key exists with a type other than hash (nothing written)
          -2  KEYS[4] holds something that is not a sequence number (nothing written)
  Redis has no rollback inside a script, so every check runs before the first write. ]]
local seqKey = KEYS[4]
local last = redis.call('GET', seqKey)
if last then
  last = tonumber(last)
  if not last then return -2 end
else
  last = 0
end
local seq = tonumber(ARGV[1])
if seq <= last then return 0 end
for i = 1, 3 do
  local t = redis.call('TYPE', KEYS[i])['ok']
  if t ~= 'hash' and t ~= 'none' then return -1 end
end

local events = tonumber(ARGV[3])
local malformed = tonumber(ARGV[4])
if events > 0 then redis.call('HINCRBY', KEYS[3], 'events', events) end
if malformed > 0 then redis.call('HINCRBY', KEYS[3], 'malformedLines', malformed) end

local typeEnd = 5 + 2 * tonumber(ARGV[5])
for i = 6, typeEnd, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
for i = typeEnd + 1, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('SET', seqKey, ARGV[1], 'EX', ARGV[2])
return 1
