-- Rate limits shared by the web app's and the relay's processes
-- (rate-limiter-flexible's RateLimiterPostgres layout: key, points, expire in ms).
CREATE TABLE "RateLimit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);
