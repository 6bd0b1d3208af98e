--[[ hold-lease: take or keep the lease on a writer id, and read where its sequence stands
  KEYS[1] <prefix>:<role>:<id>:lease   string: the token of the process holding the id
  KEYS[2] <prefix>:<role>:<id>:seq     string: the last sequence number applied for the id
  ARGV[1] the token of this process (random per start); ARGV[2] the lease time in ms
  Returns {1, last}  the lease is ours (it was free, had lapsed, or was ours already) and now
                     lapses ARGV[2] ms from now; `last` is the id's last sequence number (0
                     when none): this process goes on from last + 1
          {0, ms}    another token holds it, for `ms` more milliseconds unless it is renewed
          {-2, 0}    KEYS[2] holds something that is not a sequence number (nothing written)
  A writer id is used by one live process at a time: the holder renews the lease well
  before it lapses, and every write script checks it (apply-batch.lua, append-stream.lua). ]]
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return { 0, redis.call('PTTL', KEYS[1]) }
end
local last = redis.call('GET', KEYS[2])
if last then
  last = tonumber(last)
  if not last then return { -2, 0 } end
else
  last = 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return { 1, last }
