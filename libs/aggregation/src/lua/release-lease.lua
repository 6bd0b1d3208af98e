--[[ release-lease: give a writer id back at a clean stop, if this process still holds it
  KEYS[1] <prefix>:<role>:<id>:lease   string: the token of the process holding the id
  ARGV[1] the token of this process
  Returns 1 released (the next process with this id starts at once), 0 not ours (nothing
  written: it lapsed, or another process holds it now) ]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
