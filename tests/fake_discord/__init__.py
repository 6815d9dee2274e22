"""A loopback fake of Discord (REST + gateway) that the real discord.py client connects to.

Why: end-to-end tests of the bot without the internet or a real token. Modules:

- `server.FakeDiscord`: the aiohttp app (REST under `/api/v10`, gateway at `/`), the test
  guild/users, and helpers `say()` (MESSAGE_CREATE), `user_message()` (a payload, not sent),
  `slash()`, `message_command()` (right-click a message → Apps), `autocomplete()`, `click()`.
  The guild has one text channel with one public thread (`guild.thread_id`); `say(...,
  thread=True)` posts there and `say(..., reply_to=message)` replies (pinging, by default).
  REST faults: `fail_next(predicate, times=, status=, headers=, body=)` answers matching calls
  with an error (429s carry Retry-After/X-RateLimit-*/Via and a JSON `retry_after`); failed
  calls are recorded with their `status`. `listeners` see every call; `tokens_seen` holds
  the bot tokens presented in `Authorization` headers; `open_connections` and
  `peak_connections` count the client's TCP connections (REST keep-alive and gateway).
- `gateway.FakeGateway` (`fake.gateway`): HELLO/IDENTIFY/READY/GUILD_CREATE/RESUME, heartbeats,
  zlib-stream, sharding, intent filtering, and failure hooks: `close(code)`, `drop()`,
  `send_reconnect()` (op 7), `send_invalid_session(resumable)` (op 9), `ack_heartbeats`,
  `accept_resume`, `send_raw()`.
- `recording.Recorder` (`fake.recorder`): every REST `Call` and gateway frame, with waits.
- `fixtures`: the `fake_discord` / `no_internet` fixtures and `running(client)`.
- Discord's clocks: a callback more than `fake.ack_deadline` (3 s) after the dispatch is
  answered 404 "Unknown interaction" (10062), a second callback 400 (40060), and follow-ups
  or edits after `fake.token_lifetime` (15 min) 401 (50027); `errors.RestError` is how a
  handler answers with an error. Tests move time by back-dating `fake.dispatched_at[token]`.
- `burst`: `run_burst(fake, n)` floods n `/ask`s (`slash_payload` + `dispatch_interactions`:
  encoded first, then written back to back) and counts acknowledgements, answers, other
  replies, duplicates and latencies (the load test and `benchmarks/bench_load.py`).
- `remote`: the fake in a process of its own, driven over a pipe (`remote_fake()`), so a
  benchmark's fake does not share the bot's event loop and GIL.
"""
