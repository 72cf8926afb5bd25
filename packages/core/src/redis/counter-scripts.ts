/**
 * The Lua scripts of the Redis counter store. CONSUME is `decideAll` from `rate-limit.ts`
 * ported line by line (same operation order, so the same IEEE doubles come out), applied
 * to the counters named in KEYS in one atomic step: Redis runs a script to completion
 * before any other command. Both scripts declare every key they touch (Redis Cluster).
 *
 * A counter's state is one string: `s <duration> <window> <prev> <curr>` (sliding window)
 * or `t <tokens> <updatedAt>` (token bucket), numbers as `%.17g` so fractional tokens
 * round-trip exactly. Anything else reads as no state.
 */

const STATE_LUA = `
local function fmt(x) return string.format('%.17g', x) end

local function parse(raw)
  if not raw then return nil end
  local f = {}
  for part in string.gmatch(raw, '%S+') do f[#f + 1] = part end
  if f[1] == 's' and #f == 5 then
    local d, w, p, c = tonumber(f[2]), tonumber(f[3]), tonumber(f[4]), tonumber(f[5])
    if d and w and p and c then return { alg = 's', d = d, w = w, p = p, c = c } end
  elseif f[1] == 't' and #f == 3 then
    local k, u = tonumber(f[2]), tonumber(f[3])
    if k and u then return { alg = 't', k = k, u = u } end
  end
  return nil
end

local function encode(st)
  if st.alg == 's' then return 's ' .. fmt(st.d) .. ' ' .. fmt(st.w) .. ' ' .. fmt(st.p) .. ' ' .. fmt(st.c) end
  return 't ' .. fmt(st.k) .. ' ' .. fmt(st.u)
end
`;

/**
 * KEYS: one counter key per check (a key may repeat).
 * ARGV: [now or '' for Redis TIME], then per check: algorithm ('s' | 't'), limit, duration, cost.
 * Returns strings: now, all admitted ('1' | '0'), then per check: admitted, remaining, reset,
 * retryAfterMs, remaining and reset of a cost-0 decision on the stored state (for a check
 * that denied: now + retryAfterMs), and the window charged ('' when nothing was charged or
 * for a token bucket).
 * Writes only when every check admits: each charged counter gets its new state with a PX
 * expiry 1 s past `stateExpiresAt` (from then on, no state and the stored one decide alike;
 * the extra second lets a node whose clock lags still find the state rather than a fresh counter).
 */
export const CONSUME_LUA = `${STATE_LUA}
if redis.replicate_commands then redis.replicate_commands() end
local EXPIRY_SLACK_MS = 1000
local now = tonumber(ARGV[1])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function roll(d, st, at)
  local w = math.floor(at / d)
  if st == nil or st.alg ~= 's' or st.d ~= d then return { alg = 's', d = d, w = w, p = 0, c = 0 } end
  if w <= st.w then return st end
  if w == st.w + 1 then return { alg = 's', d = d, w = w, p = st.c, c = 0 } end
  return { alg = 's', d = d, w = w, p = 0, c = 0 }
end

local function estimate(s, at)
  local elapsed = math.max(0, at - s.w * s.d)
  return s.p * (1 - elapsed / s.d) + s.c
end

local function slide_wait(limit, d, s, units)
  local start = s.w * d
  local r = limit - units
  local t
  if s.c <= r then t = start + math.ceil(d * (1 - (r - s.c) / s.p)) else t = start + d + math.ceil(d * (1 - r / s.c)) end
  local function fits(at) return estimate(roll(d, s, at), at) + units <= limit end
  if t ~= t then t = now + 1 else t = math.max(t, now + 1) end
  while not fits(t) do t = t + 1 end
  while t - 1 > now and fits(t - 1) do t = t - 1 end
  return t
end

-- room() of rate-limit.ts: the largest r with used + r <= limit, as admission tests it.
local function room(limit, used)
  local r = math.max(0, math.floor(limit - used))
  while used + (r + 1) <= limit do r = r + 1 end
  while r > 0 and used + r > limit do r = r - 1 end
  return r
end

local function slide(limit, d, st, cost)
  local s = roll(d, st, now)
  local est = estimate(s, now)
  local admitted = cost == 0 or est + cost <= limit
  local nxt = s
  if admitted and cost > 0 then nxt = { alg = 's', d = d, w = s.w, p = s.p, c = s.c + cost } end
  local remaining
  if admitted and cost > 0 then remaining = room(limit, estimate(nxt, now)) else remaining = room(limit, est) end
  local reset
  if remaining == 0 then
    if limit == 0 then reset = now + 2 * d else reset = slide_wait(limit, d, nxt, 1) end
  elseif nxt.c > 0 then reset = (nxt.w + 2) * d
  elseif nxt.p > 0 then reset = (nxt.w + 1) * d
  else reset = now end
  if admitted then return true, nxt, remaining, reset, 0 end
  if cost > limit then return false, nxt, remaining, reset, 2 * d end
  return false, nxt, remaining, reset, slide_wait(limit, d, nxt, cost) - now
end

local function bucket_wait(limit, d, base, units)
  local function fits(at) return math.min(limit, base.k + ((math.max(at, base.u) - base.u) * limit) / d) >= units end
  local t = math.max(base.u + math.ceil(((units - base.k) * d) / limit), now + 1)
  while not fits(t) do t = t + 1 end
  while t - 1 > now and fits(t - 1) do t = t - 1 end
  return t
end

local function bucket(limit, d, st, cost)
  local tokens = limit
  local updated = now
  if st ~= nil and st.alg == 't' then
    updated = math.max(now, st.u)
    tokens = math.min(limit, st.k + ((updated - st.u) * limit) / d)
  end
  local admitted = cost == 0 or tokens >= cost
  if admitted then tokens = tokens - cost end
  local nxt = { alg = 't', k = tokens, u = updated }
  local base = nxt
  if not admitted and st ~= nil and st.alg == 't' then base = st end
  local remaining = math.max(0, math.floor(tokens))
  local reset
  if remaining == 0 then
    if limit == 0 then reset = now + 2 * d else reset = bucket_wait(limit, d, base, 1) end
  elseif tokens >= limit then reset = updated
  else reset = bucket_wait(limit, d, base, limit) end
  if admitted then return true, nxt, remaining, reset, 0 end
  if cost > limit then return false, nxt, remaining, reset, 2 * d end
  return false, nxt, remaining, reset, bucket_wait(limit, d, base, cost) - now
end

local function decide(alg, limit, d, st, cost)
  if alg == 't' then return bucket(limit, d, st, cost) end
  return slide(limit, d, st, cost)
end

local stored = {}
local function original(key)
  if stored[key] == nil then stored[key] = parse(redis.call('GET', key)) or false end
  return stored[key] or nil
end

local n = #KEYS
local working, charger, results = {}, {}, {}
local all = true
for i = 1, n do
  local key, at = KEYS[i], 1 + (i - 1) * 4
  local alg, limit, d, cost = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  local st = working[key]
  if st == nil then st = original(key) end
  local ok, nxt, remaining, reset, retry = decide(alg, limit, d, st, cost)
  local window = ''
  if ok and cost > 0 then
    working[key] = nxt
    charger[key] = i
    if alg == 's' then window = fmt(nxt.w) end
  end
  if not ok then all = false end
  local _, _, remaining0, reset0 = decide(alg, limit, d, original(key), 0)
  -- A check that denied reports when its cost fits again (decideAll, step 3).
  if not ok then reset0 = now + retry end
  results[i] = { ok and '1' or '0', fmt(remaining), fmt(reset), fmt(retry), fmt(remaining0), fmt(reset0), window }
end

local reply = { fmt(now), all and '1' or '0' }
for i = 1, n do
  local key = KEYS[i]
  if all and charger[key] == i then
    local st, at = working[key], 1 + (i - 1) * 4
    local limit, d = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
    local expires
    if st.alg == 's' then expires = (st.w + 2) * st.d
    elseif st.k >= limit then expires = st.u
    else expires = st.u + math.ceil(((limit - st.k) * d) / limit) end
    local ttl = math.ceil(expires - now)
    if ttl > 0 then redis.call('SET', key, encode(st), 'PX', ttl + EXPIRY_SLACK_MS) else redis.call('DEL', key) end
  end
  for _, value in ipairs(results[i]) do reply[#reply + 1] = value end
end
return reply
`;

/**
 * Undoes charges made by CONSUME (Redis Cluster, when another slot denied the request).
 * KEYS: the charged counter keys. ARGV per key: algorithm, limit, duration, cost, window charged.
 * A sliding-window charge is taken back from `curr` if the window is unchanged, from `prev`
 * if the window has rolled once since, and dropped if older; a bucket gets its tokens back
 * (capped at the limit). The expiry is kept.
 */
export const REFUND_LUA = `${STATE_LUA}
for i = 1, #KEYS do
  local at = (i - 1) * 5
  local alg, limit, d, cost, window = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5])
  local st = parse(redis.call('GET', KEYS[i]))
  local changed = false
  if st ~= nil and st.alg == alg then
    if alg == 's' and st.d == d and st.w == window then
      st.c = math.max(0, st.c - cost)
      changed = true
    elseif alg == 's' and st.d == d and st.w == window + 1 then
      st.p = math.max(0, st.p - cost)
      changed = true
    elseif alg == 't' then
      st.k = math.min(limit, st.k + cost)
      changed = true
    end
  end
  if changed then redis.call('SET', KEYS[i], encode(st), 'KEEPTTL') end
end
return #KEYS
`;
