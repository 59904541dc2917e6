/**
 * One kubbi's state, whether its payload is still there and its sealed info, read in one round trip:
 * {exists, sealedInfo or '', field, value, ...}.
 */
export const READ_KUBBI_SCRIPT = `
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d
local infoKey = KEYS[3]    -- kb:{tokenHash}:i

local reply = {redis.call('EXISTS', payloadKey), redis.call('GET', infoKey) or ''}
local fields = redis.call('HGETALL', metaKey)
for i = 1, #fields do reply[#reply + 1] = fields[i] end
return reply
`;
