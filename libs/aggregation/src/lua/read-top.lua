--[[ read-top: the K largest members of a sorted set, or of the union of several
  One set:  KEYS[1] the sorted set to read.
  A union:  KEYS[1] a scratch key for the union of KEYS[4..] (ZUNIONSTORE, scores summed);
            KEYS[2] a string recording the generation the scratch key was built at;
            KEYS[3] <prefix>:generation, bumped by every applied batch;
            KEYS[4..] the sorted sets to sum (the buckets of a window).
            The union is kept for ARGV[2] ms and reused while no batch was applied since it
            was built, so repeated identical queries (a dashboard) cost O(log n + K), and a
            reused union is never stale.
  ARGV[1]   K, an integer >= 1; ARGV[2] how long a union is kept, in ms (union only)
  Returns a flat array member, score, member, score, …: every member whose score is above the
          K-th largest score, then the members with exactly that score in byte order (CESU-8
          members: the SPEC's tie order), K members in all (fewer when the set is smaller).
          Cost: O(log n + K) on one set, plus the union's O(total members) for a window. ]]
local key = KEYS[1]
if #KEYS > 1 then
  local generation = redis.call('GET', KEYS[3]) or '0'
  if redis.call('EXISTS', key) == 0 or redis.call('GET', KEYS[2]) ~= generation then
    local sources = {}
    for i = 4, #KEYS do sources[#sources + 1] = KEYS[i] end
    redis.call('ZUNIONSTORE', key, #sources, unpack(sources))
    redis.call('SET', KEYS[2], generation, 'PX', ARGV[2])
  end
  -- ZUNIONSTORE of nothing deletes the key; PEXPIRE then does nothing, which is fine.
  redis.call('PEXPIRE', key, ARGV[2])
end

local k = tonumber(ARGV[1])
local result
local kth = redis.call('ZREVRANGE', key, k - 1, k - 1, 'WITHSCORES')
if #kth == 0 then
  result = redis.call('ZREVRANGE', key, 0, -1, 'WITHSCORES')
else
  local score = kth[2]
  result = redis.call('ZREVRANGEBYSCORE', key, '+inf', '(' .. score, 'WITHSCORES')
  local need = k - #result / 2
  local ties = redis.call('ZRANGEBYSCORE', key, score, score, 'WITHSCORES', 'LIMIT', 0, need)
  for i = 1, #ties do result[#result + 1] = ties[i] end
end
return result
