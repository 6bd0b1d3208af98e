--[[ trim-stream: drop the entries every consumer group is done with, and measure the lag
  KEYS[1] <prefix>:stream   the stream of event lines
  No ARGV.
  Returns {trimmed, length, pending, undelivered}:
    trimmed      entries deleted: those below the oldest entry any group still needs (its
                 oldest pending entry, or the first one after its last-delivered id); nothing
                 is trimmed while the stream has no group (no consumer has started yet)
    length       XLEN after trimming
    pending      entries delivered to a consumer and not acked yet, summed over the groups
    undelivered  entries no consumer has read yet (XINFO GROUPS `lag`, Redis 7.0+), summed
                 over the groups; -1 when Redis cannot tell (lag is nil after an XDEL)
  Atomic, so a group cannot move between the measurement and the XTRIM. ]]
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return { 0, 0, 0, 0 } end

-- Stream ids "ms-seq" as two numbers (ms fits a Lua double exactly).
local function parse(id)
  local ms, sq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(sq)
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

local minId, pending, undelivered = nil, 0, 0
for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local needed
  local summary = redis.call('XPENDING', key, info['name'])
  if tonumber(summary[1]) > 0 then
    needed = summary[2]
  else
    local ms, sq = parse(info['last-delivered-id'])
    needed = string.format('%d-%d', ms, sq + 1)
  end
  if minId == nil or less(needed, minId) then minId = needed end
  pending = pending + tonumber(info['pending'])
  local lag = info['lag']
  if undelivered >= 0 and type(lag) == 'number' then
    undelivered = undelivered + lag
  else
    undelivered = -1
  end
end

local trimmed = 0
if minId then trimmed = redis.call('XTRIM', key, 'MINID', minId) end
return { trimmed, redis.call('XLEN', key), pending, undelivered }
