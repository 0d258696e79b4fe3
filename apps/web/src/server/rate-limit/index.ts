export { rateLimits, createRateLimits, rateLimited, requestIp, type RateLimits, type WebLimit } from "./limits";
export { clientIp, addressKey } from "./client-ip";
