--[[ read-rates: the number of events of each of several seconds, in one round trip
  KEYS[1..n] <prefix>:w:1:<second>:types   the one-second bucket of event types of each second
             (event time); a bucket that does not exist (no event that second, or expired)
             counts 0
  No ARGV.
  Returns  n integers: for each key, the sum of its scores (the event-type counts of that
           second, so the number of events whose timestamp is that second).
           Cost: O(event types in those seconds). ]]
local result = {}
for i = 1, #KEYS do
  local scores = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
  local sum = 0
  for j = 2, #scores, 2 do sum = sum + tonumber(scores[j]) end
  result[i] = sum
end
return result
