-- The blog benchmarks' data (bench/blog.sh, bench/warmup.sh): 100 users and 10,000 posts of 300-1000 characters,
-- a fifth of them non-ASCII, from scratch (ids from 1).
TRUNCATE posts, users RESTART IDENTITY;
INSERT INTO users (username, email, password_hash)
  SELECT 'user' || g, 'user' || g || '@example.com', 'pbkdf2-sha256$1$x$x' FROM generate_series(1, 100) g;
INSERT INTO posts (title, content, author_id, created_at, updated_at)
  SELECT 'Post ' || g,
         left(CASE WHEN g % 5 = 0 THEN repeat('Grüße aus Köln, naïve café — 😀 ', 40)
                   ELSE repeat('Serv runs modular Java web applications on OSGi. ', 25) END,
              300 + (g * 7919) % 701),
         1 + g % 100,
         timestamp '2024-01-01' + g * interval '1 minute',
         timestamp '2024-01-01' + g * interval '1 minute'
  FROM generate_series(1, 10000) g;
VACUUM ANALYZE posts;
VACUUM ANALYZE users;
CHECKPOINT;
