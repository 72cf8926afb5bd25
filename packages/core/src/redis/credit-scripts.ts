/**
 * The Lua scripts of the Redis credit ledger. REFILL is `applyRefill` from `quota.ts`
 * ported line by line: the calendar arithmetic of `Date.UTC` is done on day numbers
 * (Howard Hinnant's `days_from_civil` / `civil_from_days`), all in integer-valued doubles,
 * so the same instants come out (a property test holds them to the pure function).
 *
 * A balance is one hash: `u` = '1' when the owner has no balance (unlimited); else `r`
 * remaining, `l` lastRefillAt, `m` refill mode ('-' none, 'i' every `iv` ms, 'd' daily,
 * 'm' monthly on day `d`) and `a` the refill amount. Numbers are written with `%.0f`
 * (integers, exact up to 2^53; Lua's default `%.14g` would round epoch ms).
 *
 * Both scripts start with the same step: when the hash is absent and load fields follow in
 * ARGV, they are written first (set-if-absent: the first loader wins, and every later one,
 * on any node, spends from that balance); when absent without load fields, the reply is
 * `{'miss'}` and the caller loads the balance from the source of truth and runs it again.
 */

const PRELUDE_LUA = `
local DAY = 86400000
local function fmt(x) return string.format('%.0f', x) end
local floor = math.floor

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

-- Year and 0-based month of the UTC date holding instant t.
local function year_month(t)
  local z = floor(t / DAY) + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m - 1
end

-- monthlyInstant: 00:00 UTC on day (clamped to the month) of 0-based month (may overflow).
local function monthly(year, month, day)
  local y = year + floor(month / 12)
  local m = month % 12
  local first = days_from_civil(y, m + 1, 1)
  local last = (m == 11 and days_from_civil(y + 1, 1, 1) or days_from_civil(y, m + 2, 1)) - first
  return (first + floor(math.min(math.max(1, day), last)) - 1) * DAY
end

-- applyRefill(config, balance, lastRefillAt, now) -> balance, lastRefillAt
local function refill(h, r, l, now)
  local mode, iv, amount, day = h[4], tonumber(h[5]), tonumber(h[6]), tonumber(h[7])
  if mode ~= 'i' and mode ~= 'd' and mode ~= 'm' then return r, l end
  local nxt
  if mode == 'i' then
    nxt = l + iv
  elseif mode == 'd' then
    nxt = (floor(l / DAY) + 1) * DAY
  else
    local y, m = year_month(l)
    nxt = monthly(y, m, day)
    if nxt <= l then nxt = monthly(y, m + 1, day) end
  end
  if nxt > now then return r, l end
  local latest
  if mode == 'i' then
    latest = l + floor((now - l) / iv) * iv
  elseif mode == 'd' then
    latest = floor(now / DAY) * DAY
  else
    local y, m = year_month(now)
    latest = monthly(y, m, day)
    if latest > now then latest = monthly(y, m - 1, day) end
  end
  return amount, latest
end

-- Loads the balance from ARGV[from..] when the hash is absent; false when it stays absent.
local function present(key, from)
  if redis.call('EXISTS', key) == 1 then return true end
  if #ARGV < from then return false end
  if ARGV[from] == 'u' then
    redis.call('HSET', key, 'u', '1')
  else
    redis.call('HSET', key, 'u', '0', 'r', ARGV[from], 'l', ARGV[from + 1], 'm', ARGV[from + 2],
      'iv', ARGV[from + 3], 'a', ARGV[from + 4], 'd', ARGV[from + 5])
  end
  return true
end

local function fields(key)
  local h = redis.call('HMGET', key, 'u', 'r', 'l', 'm', 'iv', 'a', 'd')
  if h[1] == '1' then return h, nil, nil end
  local r, l = tonumber(h[2]), tonumber(h[3])
  if not r or not l then return redis.error_reply('keyward: malformed credit balance') end
  return h, r, l
end
`;

/**
 * KEYS: the balance hash. ARGV: cost, now, idle TTL (ms), then optionally the load fields
 * (`u`, or remaining, lastRefillAt, mode, interval, amount, day).
 * Applies the refill that fell due, then takes `cost` if at least that much remains.
 * Returns `{'miss'}`, `{'u'}` (unlimited) or `{ok '1'|'0', remaining, lastRefillAt}`.
 */
export const SPEND_LUA = `${PRELUDE_LUA}
local key = KEYS[1]
local cost, now = tonumber(ARGV[1]), tonumber(ARGV[2])
if not present(key, 4) then return {'miss'} end
redis.call('PEXPIRE', key, ARGV[3])
local h, r, l = fields(key)
if h.err then return h end
if r == nil then return {'u'} end
local nr, nl = refill(h, r, l, now)
local ok = '0'
if nr >= cost then
  nr = nr - cost
  ok = '1'
end
if nr ~= r or nl ~= l then redis.call('HSET', key, 'r', fmt(nr), 'l', fmt(nl)) end
return {ok, fmt(nr), fmt(nl)}
`;

/**
 * KEYS: the balance hash. ARGV: amount, idle TTL (ms), then optionally the load fields.
 * Adds `amount` without applying any refill (like `CreditLedger.refund`).
 * Returns `{'miss'}`, `{'u'}` or `{'1', remaining, lastRefillAt}`.
 */
export const REFUND_LUA = `${PRELUDE_LUA}
local key = KEYS[1]
if not present(key, 3) then return {'miss'} end
redis.call('PEXPIRE', key, ARGV[2])
local h, r, l = fields(key)
if h.err then return h end
if r == nil then return {'u'} end
r = r + tonumber(ARGV[1])
redis.call('HSET', key, 'r', fmt(r))
return {'1', fmt(r), fmt(l)}
`;
