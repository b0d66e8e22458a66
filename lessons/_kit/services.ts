// Where a lesson finds the servers it declares in its frontmatter `services`.
// The runner starts a throwaway server (or uses yours) and passes its address in
// the environment; running a file by hand needs the variable set.

const howToGet = {
  redis: "REDIS_URL is not set: run this through `npm run lesson <id>` (it starts a throwaway redis-server), or set REDIS_URL=redis://127.0.0.1:6379",
  postgres: "DATABASE_URL is not set: run this through `npm run lesson <id>` (it starts a throwaway PostgreSQL), or set DATABASE_URL=postgres://user@127.0.0.1:5432/db",
} as const;

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error(howToGet.redis);
  return url;
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(howToGet.postgres);
  return url;
}
