package ledgertest

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

var fencingTests = map[string]func(t *testing.T, s ledger.Store){
	"StaleFence":              testStaleFence,
	"Precedence":              testFencePrecedence,
	"ReleasedNotClaimed":      testReleasedNotClaimed,
	"Generations":             testGenerations,
	"CreateJobLease":          testCreateJobLease,
	"ConcurrentClaimAndWrite": testConcurrentClaimAndWrite,
}

// fenceOf returns the Fence of a job as ClaimJobs returned it.
func fenceOf(j ledger.Job) ledger.Fence {
	return ledger.Fence{JobID: j.ID, Owner: j.Owner, Generation: j.Generation}
}

// takeOver ends the leases of from and makes to claim the job id, which must be the only job it
// can claim, and returns the job as ClaimJobs did.
func takeOver(t *testing.T, s ledger.Store, id, from, to string) ledger.Job {
	t.Helper()
	expire(t, s, from)
	js, err := s.ClaimJobs(ctx(t), to, time.Minute, 10)
	must(t, err)
	if len(js) != 1 || js[0].ID != id {
		t.Fatalf("%s claimed %+v, want %s", to, js, id)
	}
	return js[0]
}

// snapshot is everything the reads tell of a job, to tell whether a write changed it.
type snapshot struct {
	Job          ledger.Job
	Batches      []ledger.BatchInfo
	Pending      ledger.PendingWork
	Rejections   []ledger.Rejection
	NotSubmitted []string
}

// takeSnapshot reads the job id. CreateWait is left out (it shrinks as time passes), but
// CreateAttempted is kept.
func takeSnapshot(t *testing.T, s ledger.Store, id string) snapshot {
	t.Helper()
	sn := snapshot{Job: getJob(t, s, id)}
	var err error
	sn.Batches, err = s.ListBatches(ctx(t), id)
	must(t, err)
	if !sn.Job.State.Final() {
		sn.Pending, err = s.PendingWork(ctx(t), id)
		must(t, err)
		for i := range sn.Pending.Batches {
			sn.Pending.Batches[i].CreateWait = 0
		}
	}
	sn.Rejections, _, err = s.Rejections(ctx(t), id, 0, 1000)
	must(t, err)
	sn.NotSubmitted, err = s.NotSubmitted(ctx(t), id)
	must(t, err)
	return sn
}

// testStaleFence: after another replica claimed a job, every write with a fence other than the
// claim's is refused with ErrNotOwner and changes nothing, while the claim's fence writes.
func testStaleFence(t *testing.T, s ledger.Store) {
	for _, w := range writes {
		id := "job-" + w.name
		createJob(t, s, id)
		must(t, s.RecordReceived(ctx(t), fence(id), numbers(9195550000, 3)))
		must(t, s.RecordBatch(ctx(t), fence(id), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 2)}))
		claimed := takeOver(t, s, id, "replica-a", "replica-b")
		before := takeSnapshot(t, s, id)
		for _, stale := range []ledger.Fence{
			fence(id), // the creator's
			{JobID: id, Owner: "replica-b", Generation: ledger.FirstGeneration}, // the claimer's, of the old generation
			{JobID: id, Owner: "replica-a", Generation: claimed.Generation},     // the current generation, of the old owner
			{JobID: id, Owner: "replica-b", Generation: claimed.Generation + 1}, // a generation not reached yet
		} {
			what := fmt.Sprintf("%s with fence %+v after a claim", w.name, stale)
			wantErr(t, what, w.call(t, s, stale, 1), ledger.ErrNotOwner)
			equal(t, what+": the job", takeSnapshot(t, s, id), before)
		}
		must(t, w.call(t, s, fenceOf(claimed), 1))
		after := takeSnapshot(t, s, id)
		after.Job.UpdatedAt = before.Job.UpdatedAt
		if reflect.DeepEqual(normalize(after), normalize(before)) {
			t.Errorf("%s with the claim's fence changed nothing", w.name)
		}
	}
}

// testFencePrecedence: a stale fence comes after an unknown or finished job, and before the
// write's own errors.
func testFencePrecedence(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 1)}))
	claimed := takeOver(t, s, "job-1", "replica-a", "replica-b")
	stale := fence("job-1")
	for _, w := range writes {
		if w.batch {
			wantErr(t, w.name+" of an unknown batch with a stale fence", w.call(t, s, stale, 9), ledger.ErrNotOwner)
		}
	}
	wantErr(t, "RecordBatch of a recorded seq with a stale fence",
		s.RecordBatch(ctx(t), stale, ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 1)}), ledger.ErrNotOwner)
	must(t, s.FinishJob(ctx(t), fenceOf(claimed), ledger.Result{State: ledger.StateAborted}))
	for _, w := range writes {
		wantErr(t, w.name+" of a finished job with a stale fence", w.call(t, s, stale, 1), ledger.ErrJobFinished)
		wantErr(t, w.name+" of a finished job with its last fence", w.call(t, s, fenceOf(claimed), 1), ledger.ErrJobFinished)
		wantErr(t, w.name+" of an unknown job", w.call(t, s, ledger.Fence{JobID: "nope", Owner: "replica-b", Generation: 2}, 1), ledger.ErrNotFound)
	}
}

// testReleasedNotClaimed: a lease that ended without a claim leaves the owner's writes landing.
func testReleasedNotClaimed(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 1)}))
	expire(t, s, "replica-a")
	for _, w := range writes {
		must(t, w.call(t, s, fence("job-1"), 1))
	}
	if j := getJob(t, s, "job-1"); j.State != ledger.StateSucceeded || j.Owner != "replica-a" || j.Generation != ledger.FirstGeneration {
		t.Errorf("job after writes past its lease: %+v", j)
	}
}

// testGenerations: CreateJob starts a job at FirstGeneration, every claim increments it and names
// the previous owner, renewing and releasing leases leave it, and each claim fences out the
// fence before it, also when the same replica claims its own job again.
func testGenerations(t *testing.T, s ledger.Store) {
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "job-1", AccountID: "acct-1", Action: ledger.ActionAssign, RequestID: "req-1",
		Owner: "replica-a", Generation: 7, PreviousOwner: "ignored"}, ledger.DefaultLease))
	if j := getJob(t, s, "job-1"); j.Generation != ledger.FirstGeneration || j.PreviousOwner != "" {
		t.Errorf("created job: generation %d, previous owner %q", j.Generation, j.PreviousOwner)
	}
	equal(t, "renewed", renew(t, s, "replica-a", time.Minute, "job-1"), []string{"job-1"})
	expire(t, s, "replica-a")
	if j := getJob(t, s, "job-1"); j.Generation != ledger.FirstGeneration {
		t.Errorf("generation %d after renewing and releasing the lease", j.Generation)
	}
	prev := fence("job-1")
	for i, owner := range []string{"replica-b", "replica-b", "replica-c"} {
		claimed := takeOver(t, s, "job-1", prev.Owner, owner)
		want := ledger.FirstGeneration + int64(i) + 1
		if claimed.Owner != owner || claimed.Generation != want || claimed.PreviousOwner != prev.Owner {
			t.Errorf("claim %d: owner %q generation %d previous owner %q; want %q, %d, %q",
				i+1, claimed.Owner, claimed.Generation, claimed.PreviousOwner, owner, want, prev.Owner)
		}
		reads := map[string]func() (ledger.Job, error){
			"GetJob":             func() (ledger.Job, error) { return s.GetJob(ctx(t), "job-1") },
			"FindJobByRequestID": func() (ledger.Job, error) { return s.FindJobByRequestID(ctx(t), "acct-1", "req-1") },
			"ListJobs": func() (ledger.Job, error) {
				p, err := s.ListJobs(ctx(t), "acct-1", ledger.JobQuery{})
				if err != nil || len(p.Jobs) != 1 {
					return ledger.Job{}, fmt.Errorf("%d jobs, %w", len(p.Jobs), err)
				}
				return p.Jobs[0], nil
			},
		}
		for name, read := range reads {
			j, err := read()
			if err != nil || j.Owner != owner || j.Generation != want || j.PreviousOwner != "" {
				t.Errorf("claim %d: %s = owner %q generation %d previous owner %q, %v", i+1, name, j.Owner, j.Generation, j.PreviousOwner, err)
			}
		}
		wantErr(t, fmt.Sprintf("claim %d: the previous fence's write", i+1),
			s.RecordReceived(ctx(t), prev, numbers(9195550000+10*i, 1)), ledger.ErrNotOwner)
		prev = fenceOf(claimed)
		must(t, s.RecordReceived(ctx(t), prev, numbers(9195550005+10*i, 1)))
	}
}

// testCreateJobLease: CreateJob's lease is the job's first, DefaultLease when not positive.
func testCreateJobLease(t *testing.T, s ledger.Store) {
	cases := []struct {
		id          string
		lease, want time.Duration
	}{
		{"millisecond", time.Millisecond, time.Millisecond},
		{"minute", time.Minute, time.Minute},
		{"zero", 0, ledger.DefaultLease},
		{"negative", -time.Second, ledger.DefaultLease},
	}
	before := time.Now()
	for _, c := range cases {
		must(t, s.CreateJob(ctx(t), ledger.Job{ID: c.id, AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-a"}, c.lease))
	}
	after := time.Now()
	for _, c := range cases {
		if j := getJob(t, s, c.id); !within(j.LeaseUntil, before.Add(c.want), after.Add(c.want)) {
			t.Errorf("%s: lease until %v, want about now+%v", c.id, j.LeaseUntil, c.want)
		}
	}
	time.Sleep(5 * time.Millisecond) // the millisecond lease ends
	js, err := s.ClaimJobs(ctx(t), "replica-b", time.Minute, 10)
	must(t, err)
	if len(js) != 1 || js[0].ID != "millisecond" || js[0].PreviousOwner != "replica-a" {
		t.Errorf("claimed %+v, want only the job created with a millisecond lease", js)
	}
}

// testConcurrentClaimAndWrite: replicas claim one job from each other (its leases last a
// microsecond) while writing to it with the fence of their last claim. Every write that
// returned nil must have landed while its fence was current: after the claim that gave the
// writer the job and before the next claim. RecordReceived shows when: each write appends one
// number, and a claim returns how many were received before it.
func testConcurrentClaimAndWrite(t *testing.T, s ledger.Store) {
	const replicas, rounds = 3, 100
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "job-1", AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-0"}, time.Microsecond))
	type claim struct {
		owner, previous string
		received        int64
	}
	type write struct {
		number     string
		generation int64
		landed     bool
	}
	var (
		mu      sync.Mutex
		claims  = map[int64]claim{ledger.FirstGeneration: {owner: "replica-0"}}
		written []write
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for r := range replicas {
		owner := fmt.Sprint("replica-", r)
		wg.Go(func() {
			<-start
			var f ledger.Fence
			if r == 0 {
				f = ledger.Fence{JobID: "job-1", Owner: owner, Generation: ledger.FirstGeneration}
			}
			for i := range rounds {
				var js []ledger.Job
				var err error
				if f.Owner == "" || i%3 == r {
					// Between claims a replica writes with its last fence, stale or not.
					if js, err = s.ClaimJobs(ctx(t), owner, time.Microsecond, 1); err != nil {
						t.Error(err)
						return
					}
				}
				for _, j := range js {
					f = fenceOf(j)
					mu.Lock()
					if _, dup := claims[j.Generation]; dup {
						t.Errorf("two claims of generation %d", j.Generation)
					}
					claims[j.Generation] = claim{j.Owner, j.PreviousOwner, j.Counts.Received}
					mu.Unlock()
				}
				runtime.Gosched() // let another replica claim the job here, in a store without I/O too
				if f.Owner == "" {
					continue
				}
				n := fmt.Sprintf("%010d", (r+1)*1000000+i)
				err = s.RecordReceived(ctx(t), f, []string{n})
				if err != nil && !errors.Is(err, ledger.ErrNotOwner) {
					t.Error(err)
					return
				}
				mu.Lock()
				written = append(written, write{n, f.Generation, err == nil})
				mu.Unlock()
				if err != nil {
					f = ledger.Fence{} // the job is another replica's: claim it back first
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}
	last := ledger.FirstGeneration + int64(len(claims)) - 1
	if last == ledger.FirstGeneration {
		t.Fatal("no replica claimed the job: nothing was tested")
	}
	for g := ledger.FirstGeneration + 1; g <= last; g++ {
		c, ok := claims[g]
		if !ok {
			t.Fatalf("no claim of generation %d, but %d claims", g, len(claims))
		}
		if c.previous != claims[g-1].owner || c.received < claims[g-1].received {
			t.Errorf("claim of generation %d: %+v after %+v", g, c, claims[g-1])
		}
	}
	w, err := s.PendingWork(ctx(t), "job-1")
	must(t, err)
	position := make(map[string]int, len(w.Unbatched))
	for p, n := range w.Unbatched {
		position[n] = p
	}
	landed := 0
	for _, wr := range written {
		p, ok := position[wr.number]
		if ok != wr.landed {
			t.Errorf("write of generation %d: returned nil %v, recorded %v", wr.generation, wr.landed, ok)
			continue
		}
		if !ok {
			continue
		}
		landed++
		from, to := claims[wr.generation].received, int64(len(w.Unbatched))
		if next, ok := claims[wr.generation+1]; ok {
			to = next.received
		}
		if int64(p) < from || int64(p) >= to {
			t.Errorf("write of generation %d landed at %d, outside its ownership [%d, %d)", wr.generation, p, from, to)
		}
	}
	if landed != len(w.Unbatched) {
		t.Errorf("%d numbers received, %d writes landed", len(w.Unbatched), landed)
	}
	t.Logf("%d claims, %d of %d writes landed", len(claims)-1, landed, len(written))
}
