--[[ apply-batch: add one batch's counts exactly once, all or nothing
  KEYS[1] <prefix>:types         hash event_type -> count (all time)
  KEYS[2] <prefix>:words         hash word -> count (all time)
  KEYS[3] <prefix>:stats         hash events / malformedLines -> count
  KEYS[4] <prefix>:ingest:<id>:seq   string: last sequence applied by this ingest
  KEYS[5] <prefix>:rank:types    zset event_type (CESU-8) -> count (all time)
  KEYS[6] <prefix>:rank:words    zset word (CESU-8) -> count (all time)
  KEYS[7] <prefix>:generation    string: batches applied so far (read caches compare it)
  KEYS[8] <prefix>:ingest:<id>:lease string: the token of the process holding the ingest id
  KEYS[9] <prefix>:malformed:reasons  hash reason -> malformed lines
  KEYS[10] <prefix>:malformed:recent  list of the newest malformed-line samples (JSON), newest
            first, trimmed to K (below)
  KEYS[11..] <prefix>:w:<size>:<start>:types|words   zset buckets of event time,
            <prefix>:w:<size>:<start>:sealed   string markers of rolled-up buckets, and with
            the stream section, <prefix>:stream (the stream whose entries this batch counted)
  ARGV[1] batch sequence number (integer >= 1, strictly increasing per ingest id)
  ARGV[2] seconds KEYS[4] lives after the last batch of that ingest
  ARGV[3] the writer's lease token ('' when it holds none), ARGV[4] the lease time in ms
  ARGV[5] events in the batch; ARGV[6] malformed lines in the batch
  ARGV[7] R: number of malformed reasons, then R (reason, lines) pairs; then K, the samples
          kept (MALFORMED_RECENT_MAX), S, and S samples, oldest first (at most K: a batch's
          malformed part costs the same however many lines it holds)
  then T, W: number of all-time event-type and word pairs, then T + W
          (key, increment) pairs: event types first, then words
  then G: number of event-time seconds in the batch, and for each second: the KEYS indexes of
          its one-second types and words buckets and their expire-at (unix seconds); A, then A
          quadruples (seal KEYS index, types bucket KEYS index, words bucket KEYS index,
          expire-at): the coarser buckets holding that second; then T, W and T + W
          (key, increment) pairs as above. A second's counts go into its one-second buckets
          and into each coarser bucket whose seal exists (rolled up, see roll-up.lua); a
          coarser bucket not rolled up yet is summed from its children when it is.
  then, optionally (TRANSPORT=redis-stream), the stream section: the KEYS index of the stream,
          the consumer group, E, then E entry ids: the entries whose lines make up this batch.
          The batch is applied only if every one of them is still pending in the group, and
          they are acked in the same step, so an entry is counted exactly once however many
          consumers read it (a reclaimed entry is counted by whoever commits it first).
  Returns  1  applied (and, with the stream section, the entries acked); with a token, the
              lease is ours again for ARGV[4] ms
           0  duplicate: seq <= last applied (a retry whose first attempt was applied)
          -3  not every entry is still pending: another consumer counted some or all of them
              (nothing written); count only those still pending and try again
          -1  a count key exists with an unexpected type (nothing written)
          -2  KEYS[4] holds something that is not a sequence number (nothing written)
          -4  another process holds the lease on this ingest id (nothing written): this
              writer must stop, its sequence is no longer its own
  The lease is checked first: a process whose lease went to another one must not even learn
  that a seq is a "duplicate" (the other one may have used that number).
  Redis has no rollback inside a script, so every check runs before the first write. ]]
local lease = redis.call('GET', KEYS[8])
if lease and lease ~= ARGV[3] then return -4 end
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

-- Where the counts start, after the malformed section (ARGV[7..]).
local countsAt = 7 + 1 + 2 * tonumber(ARGV[7])
countsAt = countsAt + 2 + tonumber(ARGV[countsAt + 1])

-- Where the optional stream section starts: walk the counts without touching them.
local function streamSection()
  local q = countsAt
  q = q + 2 + 2 * (tonumber(ARGV[q]) + tonumber(ARGV[q + 1]))
  local nSeconds = tonumber(ARGV[q])
  q = q + 1
  for _ = 1, nSeconds do
    q = q + 3
    q = q + 1 + 4 * tonumber(ARGV[q])
    q = q + 2 + 2 * (tonumber(ARGV[q]) + tonumber(ARGV[q + 1]))
  end
  if #ARGV < q then return nil end
  return q
end
local s = streamSection()
local streamIndex = s and tonumber(ARGV[s]) or 0

-- The type each of KEYS[1..10] must have; later keys are buckets, seals or the stream.
local FIXED = { 'hash', 'hash', 'hash', 'string', 'zset', 'zset', 'string', 'string', 'hash', 'list' }
for i = 1, #KEYS do
  local t = redis.call('TYPE', KEYS[i])['ok']
  local want = FIXED[i] or 'zset'
  if i == streamIndex then
    want = 'stream'
  elseif i > #FIXED and string.sub(KEYS[i], -7) == ':sealed' then
    want = 'string'
  end
  if t ~= want and t ~= 'none' then return -1 end
end

local entryIds = {}
if s then
  local group, n = ARGV[s + 1], tonumber(ARGV[s + 2])
  local pending = 0
  for e = 1, n do
    local id = ARGV[s + 2 + e]
    entryIds[e] = id
    if #redis.call('XPENDING', KEYS[streamIndex], group, id, id, 1) == 1 then
      pending = pending + 1
    end
  end
  if pending < n then return -3 end
end

-- Characters above U+FFFF (4-byte UTF-8) become two 3-byte surrogate halves (CESU-8), so
-- that byte order among equal scores is UTF-16 code-unit order, the SPEC's tie order.
local function cesu8(s)
  if not string.find(s, '[\240-\244]') then return s end
  local out, i, n = {}, 1, #s
  while i <= n do
    local b = string.byte(s, i)
    if b >= 240 then
      local b2, b3, b4 = string.byte(s, i + 1, i + 3)
      local cp = (b - 240) * 262144 + (b2 - 128) * 4096 + (b3 - 128) * 64 + (b4 - 128) - 65536
      for _, u in ipairs({ 55296 + math.floor(cp / 1024), 56320 + cp % 1024 }) do
        out[#out + 1] = string.char(224 + math.floor(u / 4096), 128 + math.floor(u / 64) % 64, 128 + u % 64)
      end
      i = i + 4
    else
      local j = string.find(s, '[\240-\244]', i) or (n + 1)
      out[#out + 1] = string.sub(s, i, j - 1)
      i = j
    end
  end
  return table.concat(out)
end

local events = tonumber(ARGV[5])
local malformed = tonumber(ARGV[6])
if events > 0 then redis.call('HINCRBY', KEYS[3], 'events', events) end
if malformed > 0 then redis.call('HINCRBY', KEYS[3], 'malformedLines', malformed) end

-- Why lines were malformed: a count per reason, and the newest samples.
local r = 8
for _ = 1, tonumber(ARGV[7]) do
  redis.call('HINCRBY', KEYS[9], ARGV[r], ARGV[r + 1])
  r = r + 2
end
local keep, nSamples = tonumber(ARGV[r]), tonumber(ARGV[r + 1])
if nSamples > 0 then
  for from = r + 2, r + 1 + nSamples, 1000 do
    redis.call('LPUSH', KEYS[10], unpack(ARGV, from, math.min(from + 999, r + 1 + nSamples)))
  end
  redis.call('LTRIM', KEYS[10], 0, keep - 1)
end

-- All-time: hash and rank zset.
local p = countsAt
local nTypes, nWords = tonumber(ARGV[p]), tonumber(ARGV[p + 1])
p = p + 2
for _ = 1, nTypes do
  redis.call('HINCRBY', KEYS[1], ARGV[p], ARGV[p + 1])
  redis.call('ZINCRBY', KEYS[5], ARGV[p + 1], cesu8(ARGV[p]))
  p = p + 2
end
for _ = 1, nWords do
  redis.call('HINCRBY', KEYS[2], ARGV[p], ARGV[p + 1])
  redis.call('ZINCRBY', KEYS[6], ARGV[p + 1], cesu8(ARGV[p]))
  p = p + 2
end

-- Windowed: each second's counts into its one-second buckets and its rolled-up ancestors.
local seconds = tonumber(ARGV[p])
p = p + 1
for _ = 1, seconds do
  local typeKeys, wordKeys = { KEYS[tonumber(ARGV[p])] }, { KEYS[tonumber(ARGV[p + 1])] }
  local expireAt = { ARGV[p + 2] }
  local ancestors = tonumber(ARGV[p + 3])
  p = p + 4
  for _ = 1, ancestors do
    if redis.call('EXISTS', KEYS[tonumber(ARGV[p])]) == 1 then
      typeKeys[#typeKeys + 1] = KEYS[tonumber(ARGV[p + 1])]
      wordKeys[#wordKeys + 1] = KEYS[tonumber(ARGV[p + 2])]
      expireAt[#expireAt + 1] = ARGV[p + 3]
    end
    p = p + 4
  end
  local levels = #typeKeys
  local gTypes, gWords = tonumber(ARGV[p]), tonumber(ARGV[p + 1])
  p = p + 2
  for _ = 1, gTypes do
    local member = cesu8(ARGV[p])
    for l = 1, levels do redis.call('ZINCRBY', typeKeys[l], ARGV[p + 1], member) end
    p = p + 2
  end
  for _ = 1, gWords do
    local member = cesu8(ARGV[p])
    for l = 1, levels do redis.call('ZINCRBY', wordKeys[l], ARGV[p + 1], member) end
    p = p + 2
  end
  -- After the increments: EXPIREAT on a key that does not exist yet does nothing.
  for l = 1, levels do
    redis.call('EXPIREAT', typeKeys[l], expireAt[l])
    redis.call('EXPIREAT', wordKeys[l], expireAt[l])
  end
end

if s then
  -- In chunks: unpack of thousands of ids would overflow Lua's stack.
  for from = 1, #entryIds, 1000 do
    local chunk = {}
    for e = from, math.min(from + 999, #entryIds) do chunk[#chunk + 1] = entryIds[e] end
    redis.call('XACK', KEYS[streamIndex], ARGV[s + 1], unpack(chunk))
  end
end
redis.call('INCR', KEYS[7])
redis.call('SET', seqKey, ARGV[1], 'EX', ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[8], ARGV[3], 'PX', ARGV[4]) end
return 1
