/**
 * The Lua scripts of the Redis directory. Each runs atomically in Redis, so a check and the write
 * it guards (players + reservations < capacity, then reserve) cannot interleave with another
 * process's. Every script takes the key prefix as ARGV[1] and reads the time from Redis (`TIME`),
 * so processes on machines with skewed clocks agree on expiry. The keys, under the prefix:
 *
 * | key              | type   | holds                                                        |
 * | ---------------- | ------ | ------------------------------------------------------------ |
 * | `proc:<id>`      | string | the process's JSON record; its TTL is the lease              |
 * | `procs`          | set    | ids of processes that may have keys (the janitor's list)     |
 * | `owned:<id>`     | set    | room ids the process owns                                    |
 * | `room:<roomId>`  | hash   | `game`, `name`, `owner`, `capacity`, `players`               |
 * | `seats:<roomId>` | zset   | seat id → expiry (ms): the room's live reservations           |
 * | `open:<game>`    | zset   | the game's room ids by free seats (capacity − players), for `any` |
 * | `name:<name>`    | string | the room id a room name stands for                           |
 * | `janitor`        | string | id of the process that sweeps dead ones; its TTL is the term  |
 * @module
 */

const COMMON = `
local p = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function deleteRoom(roomId)
  local h = redis.call('HMGET', p .. 'room:' .. roomId, 'game', 'name', 'owner')
  redis.call('DEL', p .. 'room:' .. roomId, p .. 'seats:' .. roomId)
  if h[1] then redis.call('ZREM', p .. 'open:' .. h[1], roomId) end
  if h[3] then redis.call('SREM', p .. 'owned:' .. h[3], roomId) end
  if h[2] and redis.call('GET', p .. 'name:' .. h[2]) == roomId then
    redis.call('DEL', p .. 'name:' .. h[2])
  end
end
local function forget(id)
  for _, roomId in ipairs(redis.call('SMEMBERS', p .. 'owned:' .. id)) do deleteRoom(roomId) end
  redis.call('DEL', p .. 'owned:' .. id, p .. 'proc:' .. id)
  redis.call('SREM', p .. 'procs', id)
end
local function liveSeats(roomId)
  redis.call('ZREMRANGEBYSCORE', p .. 'seats:' .. roomId, '-inf', now)
  return redis.call('ZCARD', p .. 'seats:' .. roomId)
end
local function nameOf(roomId)
  return string.match(roomId, '^(.*)%.[^.]*$') or roomId
end
`;

/**
 * ARGV: prefix, process id, record JSON, ttl ms, claim url (1 or 0), room count, then per room:
 * id, game, capacity, players. Returns the number of dead processes swept (0 when another process
 * is the janitor).
 */
export const RENEW = `${COMMON}
local id, record, ttl, claim = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local count = tonumber(ARGV[6])
if claim == '1' then
  local url = cjson.decode(record).wsUrl
  for _, other in ipairs(redis.call('SMEMBERS', p .. 'procs')) do
    local text = redis.call('GET', p .. 'proc:' .. other)
    if other ~= id and text and cjson.decode(text).wsUrl == url then forget(other) end
  end
end
redis.call('SET', p .. 'proc:' .. id, record, 'PX', ttl)
redis.call('SADD', p .. 'procs', id)
local listed = {}
for i = 0, count - 1 do
  local roomId, game = ARGV[7 + i * 4], ARGV[8 + i * 4]
  local name = nameOf(roomId)
  listed[roomId] = true
  local capacity, players = ARGV[9 + i * 4], ARGV[10 + i * 4]
  redis.call('HSET', p .. 'room:' .. roomId, 'game', game, 'name', name, 'owner', id,
    'capacity', capacity, 'players', players)
  redis.call('SADD', p .. 'owned:' .. id, roomId)
  redis.call('ZADD', p .. 'open:' .. game, tonumber(capacity) - tonumber(players), roomId)
  local named = redis.call('GET', p .. 'name:' .. name)
  if (not named) or redis.call('EXISTS', p .. 'room:' .. named) == 0 then
    redis.call('SET', p .. 'name:' .. name, roomId)
  end
end
for _, roomId in ipairs(redis.call('SMEMBERS', p .. 'owned:' .. id)) do
  if not listed[roomId] and liveSeats(roomId) == 0 then deleteRoom(roomId) end
end
local janitor = redis.call('GET', p .. 'janitor')
if janitor and janitor ~= id then return 0 end
redis.call('SET', p .. 'janitor', id, 'PX', ttl)
local swept = 0
for _, other in ipairs(redis.call('SMEMBERS', p .. 'procs')) do
  if redis.call('EXISTS', p .. 'proc:' .. other) == 0 then
    forget(other)
    swept = swept + 1
  end
end
return swept
`;

/**
 * ARGV: prefix, game, room (any, new, an id or a name), capacity, seat id, new room name, seat
 * ttl ms. Returns \`{'ok', roomId, ownerId, wsUrl}\` or \`{why, reason}\`.
 */
export const RESERVE = `${COMMON}
local game, room, capacity, seatId, newName, seatTtl =
  ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], tonumber(ARGV[7])
-- Each owner's lease is read and decoded once per call: \`any\` meets the same few owners in
-- every room it looks at.
local owners = {}
local function liveOwner(owner)
  local known = owners[owner]
  if known ~= nil then return known or nil end
  local text = redis.call('GET', p .. 'proc:' .. owner)
  local record = text and cjson.decode(text)
  if record and record.draining then record = nil end
  owners[owner] = record or false
  return record
end
local function free(roomId)
  local h = redis.call('HMGET', p .. 'room:' .. roomId, 'capacity', 'players')
  return tonumber(h[1]) - tonumber(h[2]) - liveSeats(roomId)
end
local roomId = nil
if room == 'any' then
  -- The fullest room first (fewest free seats, then lowest id), from the index: usually the first
  -- candidate fits, so a call costs a few commands however many rooms the game has.
  local offset = 0
  while not roomId do
    local batch = redis.call('ZRANGEBYSCORE', p .. 'open:' .. game, 1, '+inf', 'LIMIT', offset, 32)
    if #batch == 0 then break end
    for _, candidate in ipairs(batch) do
      local owner = redis.call('HGET', p .. 'room:' .. candidate, 'owner')
      if owner and liveOwner(owner) and free(candidate) > 0 then
        roomId = candidate
        break
      end
    end
    offset = offset + #batch
  end
elseif room ~= 'new' then
  local named = room
  if redis.call('EXISTS', p .. 'room:' .. room) == 0 then
    named = redis.call('GET', p .. 'name:' .. nameOf(room))
  end
  if named then
    local h = redis.call('HMGET', p .. 'room:' .. named, 'game', 'owner')
    if h[1] and h[2] and liveOwner(h[2]) then
      if h[1] ~= game then
        return {'other_game', 'Room ' .. named .. ' runs another game: ' .. h[1]}
      end
      if free(named) <= 0 then
        return {'full', 'Room ' .. named .. ' is full (' .. capacity .. ' players)'}
      end
      roomId = named
    end
  end
end
if not roomId then
  -- Load is counted from the listings (players as last renewed or consumed since, plus live
  -- reservations), not from the lease: a burst of new rooms between two renewals must spread.
  local best, bestLoad = nil, nil
  for _, id in ipairs(redis.call('SMEMBERS', p .. 'procs')) do
    local record = liveOwner(id)
    if record then
      local load = 0
      for _, owned in ipairs(redis.call('SMEMBERS', p .. 'owned:' .. id)) do
        load = load + (tonumber(redis.call('HGET', p .. 'room:' .. owned, 'players')) or 0) +
          liveSeats(owned)
      end
      if best == nil or load < bestLoad or (load == bestLoad and record.processId < best.processId) then
        best, bestLoad = record, load
      end
    end
  end
  if not best then
    return {'no_process', 'No server process takes new rooms: every one is draining or gone'}
  end
  local name = newName
  if room ~= 'any' and room ~= 'new' then name = nameOf(room) end
  roomId = name .. '.' .. best.processId
  if redis.call('EXISTS', p .. 'room:' .. roomId) == 0 then
    redis.call('HSET', p .. 'room:' .. roomId, 'game', game, 'name', name,
      'owner', best.processId, 'capacity', capacity, 'players', 0)
    redis.call('SADD', p .. 'owned:' .. best.processId, roomId)
    redis.call('ZADD', p .. 'open:' .. game, capacity, roomId)
  end
  redis.call('SET', p .. 'name:' .. name, roomId)
end
local owner = liveOwner(redis.call('HGET', p .. 'room:' .. roomId, 'owner'))
redis.call('ZADD', p .. 'seats:' .. roomId, now + seatTtl, seatId)
return {'ok', roomId, owner.processId, owner.wsUrl}
`;

/** ARGV: prefix, room id, seat id. Returns 1 if the seat was live and is now consumed, else 0. */
export const CONSUME = `${COMMON}
local roomId, seatId = ARGV[2], ARGV[3]
local expiresAt = redis.call('ZSCORE', p .. 'seats:' .. roomId, seatId)
if not expiresAt then return 0 end
redis.call('ZREM', p .. 'seats:' .. roomId, seatId)
if tonumber(expiresAt) <= now then return 0 end
local game = redis.call('HGET', p .. 'room:' .. roomId, 'game')
if game then
  redis.call('HINCRBY', p .. 'room:' .. roomId, 'players', 1)
  redis.call('ZINCRBY', p .. 'open:' .. game, -1, roomId)
end
return 1
`;

/** ARGV: prefix. Returns the JSON records of the live processes. */
export const PROCESSES = `${COMMON}
local records = {}
for _, id in ipairs(redis.call('SMEMBERS', p .. 'procs')) do
  local text = redis.call('GET', p .. 'proc:' .. id)
  if text then table.insert(records, text) end
end
return records
`;

/**
 * ARGV: prefix, game or "". Returns per room of a live process: id, game, capacity, players.
 */
export const LISTINGS = `${COMMON}
local game = ARGV[2]
local rows = {}
for _, id in ipairs(redis.call('SMEMBERS', p .. 'procs')) do
  if redis.call('EXISTS', p .. 'proc:' .. id) == 1 then
    for _, roomId in ipairs(redis.call('SMEMBERS', p .. 'owned:' .. id)) do
      local h = redis.call('HMGET', p .. 'room:' .. roomId, 'game', 'capacity', 'players')
      if h[1] and (game == '' or h[1] == game) then
        table.insert(rows, roomId)
        table.insert(rows, h[1])
        table.insert(rows, h[2])
        table.insert(rows, h[3])
      end
    end
  end
end
return rows
`;

/** ARGV: prefix, process id. Deletes its lease, listings and janitor term. */
export const REMOVE = `${COMMON}
local id = ARGV[2]
forget(id)
if redis.call('GET', p .. 'janitor') == id then redis.call('DEL', p .. 'janitor') end
return 1
`;
