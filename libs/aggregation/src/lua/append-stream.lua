--[[ append-stream: append one entry of event lines exactly once, unless the stream is full
  KEYS[1] <prefix>:stream                 the stream of event lines
  KEYS[2] <prefix>:producer:<id>:seq      string: last entry sequence appended by this producer
  KEYS[3] <prefix>:producer:<id>:lease    string: the token of the process holding the id
  ARGV[1] entry sequence number (integer >= 1, strictly increasing per producer id)
  ARGV[2] seconds KEYS[2] lives after the last entry of that producer
  ARGV[3] the bound: no entry is added while the stream holds this many entries or more
  ARGV[4] field name; ARGV[5] the lines, joined by '\n'
  ARGV[6] the writer's lease token ('' when it holds none); ARGV[7] the lease time in ms
  Returns  the new entry id (string) when appended; with a token, the lease is ours again
              for ARGV[7] ms
           0  duplicate: seq <= last appended (a retry whose first attempt was appended)
          -1  the stream is full (nothing written): wait for the consumers and try again
          -2  KEYS[2] holds something that is not a sequence number, or KEYS[1] is not a
              stream (nothing written)
          -4  another process holds the lease on this producer id (nothing written): this
              writer must stop, its sequence is no longer its own
  The lease is checked first, before the sequence (see apply-batch.lua). ]]
local lease = redis.call('GET', KEYS[3])
if lease and lease ~= ARGV[6] then return -4 end
local last = redis.call('GET', KEYS[2])
if last then
  last = tonumber(last)
  if not last then return -2 end
else
  last = 0
end
if tonumber(ARGV[1]) <= last then return 0 end
local t = redis.call('TYPE', KEYS[1])['ok']
if t ~= 'stream' and t ~= 'none' then return -2 end
if t == 'stream' and redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
local id = redis.call('XADD', KEYS[1], '*', ARGV[4], ARGV[5])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
if ARGV[6] ~= '' then redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7]) end
return id
