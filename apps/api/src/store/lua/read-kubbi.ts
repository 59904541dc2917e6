/** One kubbi's state and whether its payload is still there, read in one round trip: {exists, field, value, ...}. */
export const READ_KUBBI_SCRIPT = `
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d

local reply = {redis.call('EXISTS', payloadKey)}
local fields = redis.call('HGETALL', metaKey)
for i = 1, #fields do reply[#reply + 1] = fields[i] end
return reply
`;
