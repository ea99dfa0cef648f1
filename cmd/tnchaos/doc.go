// Command tnchaos is a fault run of tnassign: several tnassignd replicas share one PostgreSQL
// ledger while callers stream numbers at them and replicas are killed and restarted; at the
// end it checks the contract of ../shared/DESIGN.md — every number received gets exactly one
// outcome, and none is submitted to Bandwidth twice — and prints a Markdown table.
//
//	make chaos                       # 2 minutes of load (CHAOS_DURATION=30s in CI)
//	bin/tnchaos --tnassignd bin/tnassignd --bwsim bin/bwsim --duration 30s --seed 42
//
// # What runs
//
//   - PostgreSQL: a throwaway cluster from the newest /usr/lib/postgresql/*/bin (initdb and
//     pg_ctl run as the postgres user when tnchaos runs as root), removed at the end; or, with
//     --postgres-dsn, a fresh uniquely named database on that server, dropped at the end.
//   - bwsim, the simulated Bandwidth: 20 ms latency, asynchronous orders (1 s, one PROCESSING
//     poll), 3% random 503s, a 200 requests/s limit, 10% slow creates (6–8 s before the order
//     exists, created even when the client has gone), an inventory of 6,000,000 numbers
//     (prefixes 9195, 4158, 4352, 9196, 4159, 4353), and a create log: one JSON line per
//     order created.
//   - --replicas tnassignd (3) on the shared ledger, fixed ports and --replica-id r1, r2, …,
//     with a 3 s lease, 1 s shutdown grace, 10 s Bandwidth timeout, 200 ms batch linger and a
//     50 requests/s budget. Each incarnation's log is r<N>.<incarnation>.log in the run
//     directory, printed at the start, with bwsim's log, the create log, PostgreSQL's log and
//     report.md.
//   - --callers client loops (6) submitting job units for --duration.
//   - The faults: every --kill-every (4 s, ±50%) a random live replica gets SIGKILL or
//     SIGTERM (even odds) and is restarted with the same flags 0.5–2 s after it exited; the
//     last live replica is never signalled, and a restarted one counts as live once its gRPC
//     health answers SERVING. A replica that exits without being signalled is a violation.
//
// # The callers
//
// A job unit is a fresh set of 500–12,000 numbers never used before in the run, about 0.5% of
// them followed later by a second spelling of the same number (rejected as DUPLICATE) and about
// 0.5% invalid texts, ASSIGN or UNASSIGN at random, streamed in messages of 250–1,000 entries
// (half the calls trickle, waiting up to --pace, 600 ms, before each message, so that kills
// land mid-upload too) with a request id of its own (and half the time a customer order id of
// its own) to a random
// live replica, over gRPC or the JSON gateway (NDJSON) at random. A careful caller then does
// exactly this:
//
//   - The call ended OK after `finished`: the entries with an outcome (from `rejected`, `order`
//     and `finished.not_submitted_numbers`) are the job's. Any without one are sent again as a
//     new unit (on a first attempt that is also a contract breach).
//   - UNAVAILABLE with reason JOB_HANDED_OVER and metadata job_id and numbers_read: the first
//     numbers_read entries are that job's (another replica finishes it; its outcomes are
//     checked from the ledger); the rest go at once into a new unit. On a retried call, which
//     may have been a replay of an earlier attempt's job (a replay reads nothing of its
//     stream), numbers_read is trusted only when above zero; otherwise, and when numbers_read
//     is missing, the call is handled as below.
//   - Any other failure (a connection broken by a kill, SHUTTING_DOWN, RESOURCE_EXHAUSTED, …):
//     the same call — same request id, same entries — is made again on another live replica
//     after a short backoff. If a job with that request id exists tnassignd replays it, and
//     the first case applies to what the replay shows; if not, the call simply runs. After 30
//     attempts (or when the drain times out) the unit fails, which fails the run.
//
// A follow-up unit never carries a number some job already took (a second spelling whose
// number was taken is dropped with it). Every event a caller sees is recorded per job id,
// from live streams and replays alike; a job whose `finished` no caller saw is checked from
// the ledger only.
//
// # The drain and the checks
//
// After --duration the faults stop and no new unit starts; units in flight finish (within
// --drain-timeout, 3 minutes), every replica is started again if down, and tnchaos waits (within
// --settle-timeout, 2 minutes) until ListAssignmentJobs shows no RUNNING job, and for the
// longest slow create to land. It then reads every job (GetAssignmentJob) and its outcomes
// (ListNumberOutcomes), stops the processes, reads the create log and the replicas' logs, and
// checks:
//
//   - no stuck jobs: none RUNNING;
//   - exactly one outcome per received number, per job: no number listed twice, as many
//     outcomes as received_count, and rejected + succeeded + failed + not_submitted = received,
//     each count matching the outcomes;
//   - nothing lost: every valid number a caller generated has an outcome in exactly one job —
//     the one its caller believes took it — and the ledger holds no number nobody sent;
//   - callers agree with the ledger: each `finished` a caller saw (live or replayed) matches the
//     job's state, failure reason and counts, and each outcome a caller saw matches the
//     ledger's outcome of that number in that job;
//   - never submitted twice: in bwsim's create log no number is in two orders and no
//     CustomerOrderId was created twice; moreover each created order's numbers are SUCCEEDED
//     or FAILED in the ledger with that order, and every order id the ledger names was created
//     with that number;
//   - contract breaches a caller noticed while streaming (a number reported twice, a second
//     `started`, a call ending OK without `finished`, a gateway answer ending with neither
//     `finished` nor an error line) and failed units.
//
// Every violation is printed (the first 20 of each kind) above the table, and the exit status
// is 1. Exit status 2 means the run itself could not be completed (bad flags, a process that
// would not start, Ctrl-C); 0 means every check passed. Binaries lacking the newer flags
// (bwsim's --create-log and slow creates, tnassignd's --bandwidth-timeout) are refused unless
// --allow-missing-flags, which runs without them and reports the checks that need them as
// not done.
//
// # Takeovers
//
// The table counts the "taking over a job whose replica stopped" lines of the replicas' logs
// (service/lease.go) and times takeovers from the log timestamps, not from the callers'
// observations (a caller rarely waits on a job it lost: it only retries or replays). Each
// takeover names the job and its previous owner; it is attributed to the first kill of that
// owner after the job came to it (its creation, from the ledger, or its previous takeover),
// and its time is the takeover's log time minus the moment tnchaos sent the signal. The
// time of a kill is that of the takeover of its last orphaned job; the table shows the longest
// over all kills. Takeovers no kill explains (a lease lost otherwise) are counted but not
// timed. With a 3 s lease expect about 3–4 s after a SIGKILL; after a SIGTERM a job is only
// orphaned when its orders outlast the 1 s grace.
//
// # Determinism
//
// --seed (default: from the clock, always printed) drives unit sizes, actions, spellings,
// message sizes, replica and transport choices, and the kill times, kinds and pauses. The
// interleaving of the processes is not reproducible, so neither is a run exactly; the seed
// makes a failing run's shape repeatable.
//
// Children run in process groups of their own and get SIGKILL if tnchaos dies (Linux); they
// are stopped on every exit, Ctrl-C included, and a panic in a caller aborts the run cleanly.
// Only the pure parts (the verifier, the callers' bookkeeping, the unit generator, log
// parsing, the gateway client) have unit tests: go test ./cmd/tnchaos needs no PostgreSQL and
// no binaries.
package main
