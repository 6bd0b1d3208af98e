--[[ roll-up: make coarse window buckets hold their seconds' exact counts (seal them)
  A bucket of size > 1 is written by apply-batch only once it is sealed; until then its
  seconds' counts are in its children (the buckets of the next smaller size, and in the end
  the one-second buckets, which are always written). Rolling a bucket up sums its children,
  each rolled up first, into it (ZUNIONSTORE) and sets its seal, in one atomic step: from then
  on apply-batch adds every later (late) event of its seconds to it as well, so a sealed
  bucket always holds exactly the counts of its seconds. Rolling up never changes a count
  that a query sees, only how many keys a query sums; so it may run any time, any number of
  times, from the ingest (buckets that have closed) and from the reads (the buckets a window
  needs).
  Keys are built here from ARGV[1] (children are not known in advance): with Redis Cluster,
  put the whole KEY_PREFIX in a hash tag, e.g. `{events}`, so that every key is in one slot.
  No KEYS.
  ARGV[1] <prefix>:w:  what every bucket key starts with
  ARGV[2] the retention in seconds (a bucket expires at start + size + retention)
  ARGV[3] now, unix seconds: a bucket already expired by then is skipped
  ARGV[4] L, then L bucket sizes ascending (the ladder: 1, 4, 16, …, each 4 times the one before)
  then pairs (size, start): the buckets to roll up (sizes from the ladder, starts aligned)
  Returns the number of buckets rolled up now (including children), 0 if all were sealed. ]]
local base, retention, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local nLevels = tonumber(ARGV[4])
local ladder, levelOf = {}, {}
for i = 1, nLevels do
  ladder[i] = tonumber(ARGV[4 + i])
  levelOf[ladder[i]] = i
end

local function key(size, start, kind)
  return base .. size .. ':' .. start .. ':' .. kind
end

local rolled = 0
local function rollUp(level, start)
  if level == 1 then return end
  local size = ladder[level]
  local expireAt = start + size + retention
  local seal = key(size, start, 'sealed')
  if expireAt <= now or redis.call('EXISTS', seal) == 1 then return end
  local child = ladder[level - 1]
  local typeKeys, wordKeys = {}, {}
  for c = start, start + size - 1, child do
    rollUp(level - 1, c)
    typeKeys[#typeKeys + 1] = key(child, c, 'types')
    wordKeys[#wordKeys + 1] = key(child, c, 'words')
  end
  -- A union of nothing deletes the destination: an empty bucket is a seal without a set.
  local types, words = key(size, start, 'types'), key(size, start, 'words')
  redis.call('ZUNIONSTORE', types, #typeKeys, unpack(typeKeys))
  redis.call('ZUNIONSTORE', words, #wordKeys, unpack(wordKeys))
  redis.call('EXPIREAT', types, expireAt)
  redis.call('EXPIREAT', words, expireAt)
  redis.call('SET', seal, '1', 'EXAT', expireAt)
  rolled = rolled + 1
end

for i = 5 + nLevels, #ARGV, 2 do
  local level = levelOf[tonumber(ARGV[i])]
  if level == nil then return redis.error_reply('roll-up: size ' .. ARGV[i] .. ' is not in the ladder') end
  rollUp(level, tonumber(ARGV[i + 1]))
end
return rolled
